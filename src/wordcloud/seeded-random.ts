/**
 * A small seeded PRNG (mulberry32) so the same report always gets the same cloud: d3-cloud's
 * word positions, spiral directions and our rotations all draw from it.
 */
export function createSeededRandom(seed: string): () => number {
  // FNV-1a over the seed text gives a 32-bit start state.
  let state = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    state ^= seed.charCodeAt(i);
    state = Math.imul(state, 0x01000193);
  }
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
