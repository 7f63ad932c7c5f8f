/** A small least-recently-used map: a `Map` keeps insertion order, so re-inserting marks use. */
export class LruCache<K, V> {
  readonly #items = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.#items.get(key);
    if (value !== undefined) {
      this.#items.delete(key);
      this.#items.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#items.delete(key);
    if (this.capacity <= 0) return;
    this.#items.set(key, value);
    while (this.#items.size > this.capacity) {
      const oldest = this.#items.keys().next();
      if (oldest.done) break;
      this.#items.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#items.size;
  }
}
