import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { DigestError } from '../errors.ts';
import type { Report } from '../report/types.ts';
import { CLOUD_FONT_WEIGHT, registerCloudFont } from './cjk-font.ts';
import { extractTerms, type WeightedTerm } from './extract-terms.ts';
import { layoutWords, type LayoutInput, type PlacedWord } from './layout-words.ts';
import { createSeededRandom } from './seeded-random.ts';

/** Bump when the drawing changes so cached clouds are redrawn. */
export const WORDCLOUD_VERSION = 1;

/** Opaque dark card: the cloud reads the same in light and dark chat themes. */
const BACKGROUND_TOP = '#0b1324';
const BACKGROUND_BOTTOM = '#14213d';
/** Saturated colours that contrast the navy card (all above 7:1 against it but the violet, ~5:1). */
const PALETTE = ['#ffd166', '#4cc9f0', '#f72585', '#80ed99', '#ff9f1c', '#b794f6', '#00f5d4', '#ff6b6b', '#f8f9fa'];

const MAX_TERMS = 90;
/** Share of the layout area the words' boxes should cover: dense but leaves room to place. */
const TARGET_FILL = 0.6;
const MAX_ATTEMPTS = 6;
const SHRINK = 0.88;
/** The layout is good enough when every one of these top terms found a place. */
const MUST_PLACE = 25;
const MIN_PLACED_SHARE = 0.85;

export interface WordcloudResult {
  png: Buffer;
  /** The words the layout placed, in layout order (largest first). */
  placed: { text: string; size: number }[];
  /** The terms the cloud was made from, heaviest first. */
  words: WeightedTerm[];
}

/**
 * Draws a PNG word cloud of `width`×`height` from the report's own text. Deterministic: the same
 * report and size give the same image. Throws DigestError when the text has no usable terms or
 * the font cannot be loaded.
 */
export async function generateWordcloud(
  report: Report,
  markdown: string,
  options: { width: number; height: number },
): Promise<WordcloudResult> {
  const { width, height } = options;
  const words = extractTerms(report, markdown, MAX_TERMS);
  if (words.length === 0) throw new DigestError(`${report.file}: no words to draw a cloud from`);
  const family = registerCloudFont();
  const seed = `${report.contentHash}:${width}x${height}:v${WORDCLOUD_VERSION}`;

  const margin = Math.round(Math.min(width, height) * 0.04);
  // d3-cloud's collision board works in 32-px columns.
  const area = { width: ((width - 2 * margin) >> 5) << 5, height: height - 2 * margin };
  const fractions = sizeFractions(words);
  const rotations = chooseRotations(words, createSeededRandom(`${seed}:rotate`));
  const widthsEm = measureEm(words, family);

  let scale = initialScale(fractions, widthsEm, rotations, area);
  let placed: PlacedWord[] = [];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const input: LayoutInput[] = words.map((w, i) => ({
      text: w.text,
      size: Math.max(12, Math.round((fractions[i] ?? 0) * scale)),
      rotate: rotations[i] ?? 0,
    }));
    placed = await layoutWords(input, {
      ...area,
      fontFamily: family,
      fontWeight: CLOUD_FONT_WEIGHT,
      padding: Math.max(2, Math.round(scale / 60)),
      random: createSeededRandom(`${seed}:layout`),
    });
    if (isGoodLayout(input, placed)) break;
    scale *= SHRINK;
  }
  if (placed.length === 0) throw new DigestError(`${report.file}: the layout placed no words`);

  const png = await drawCloud(placed, { width, height, family });
  return { png, placed: placed.map((w) => ({ text: w.text, size: w.size })), words };
}

/** Relative font sizes in (0, 1]: a softened power of the weight, the top term capped. */
function sizeFractions(words: WeightedTerm[]): number[] {
  const first = words[0]?.weight ?? 1;
  const second = words[1]?.weight ?? first;
  // One runaway term would shrink everything else to fit; cap it at 1.4× the runner-up.
  const top = Math.min(first, second * 1.4);
  return words.map((w) => Math.max(0.12, Math.pow(Math.min(w.weight, top) / top, 0.65)));
}

/**
 * The top terms stay horizontal; about one in eight of the short rest stand vertically to fill
 * gaps (long Chinese terms turned sideways are hard to read).
 */
function chooseRotations(words: WeightedTerm[], random: () => number): number[] {
  return words.map((w, i) => {
    const turn = random() < 0.12;
    return i >= 10 && turn && [...w.text].length <= 4 ? 90 : 0;
  });
}

/** Each term's advance width in ems, measured with the cloud font. */
function measureEm(words: WeightedTerm[], family: string): number[] {
  const ctx = createCanvas(8, 8).getContext('2d');
  ctx.font = `${CLOUD_FONT_WEIGHT} 100px "${family}"`;
  return words.map((w) => ctx.measureText(w.text).width / 100);
}

/** A font scale at which the words' boxes cover TARGET_FILL of the area and the top one fits. */
function initialScale(
  fractions: number[],
  widthsEm: number[],
  rotations: number[],
  area: { width: number; height: number },
): number {
  let unitArea = 0;
  fractions.forEach((f, i) => (unitArea += f * f * (widthsEm[i] ?? 1) * 1.2));
  let scale = Math.sqrt((TARGET_FILL * area.width * area.height) / Math.max(unitArea, 1e-6));
  fractions.forEach((f, i) => {
    const long = (widthsEm[i] ?? 1) * f;
    const limit = rotations[i] === 90 ? area.height : area.width;
    if (long * scale > limit * 0.9) scale = (limit * 0.9) / long;
    if (f * scale > area.height * 0.3) scale = (area.height * 0.3) / f;
  });
  return scale;
}

function isGoodLayout(input: LayoutInput[], placed: PlacedWord[]): boolean {
  const placedTexts = new Set(placed.map((w) => w.text));
  const mustPlace = input.slice(0, MUST_PLACE);
  return mustPlace.every((w) => placedTexts.has(w.text)) && placed.length >= input.length * MIN_PLACED_SHARE;
}

async function drawCloud(
  placed: PlacedWord[],
  options: { width: number; height: number; family: string },
): Promise<Buffer> {
  const { width, height, family } = options;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.lang = 'zh-CN';
  const background = ctx.createLinearGradient(0, 0, 0, height);
  background.addColorStop(0, BACKGROUND_TOP);
  background.addColorStop(1, BACKGROUND_BOTTOM);
  ctx.fillStyle = background;
  ctx.fillRect(0, 0, width, height);

  // Centre the words' bounding box on the card (the layout grows from a random start point).
  const box = boundingBox(placed, ctx, family);
  const dx = width / 2 - (box.left + box.right) / 2;
  const dy = height / 2 - (box.top + box.bottom) / 2;
  placed.forEach((word, i) => {
    ctx.save();
    ctx.translate(dx + word.x, dy + word.y);
    if (word.rotate) ctx.rotate((word.rotate * Math.PI) / 180);
    // Same font string and anchor as d3-cloud's sprite, so pixels match the collision masks.
    ctx.font = `${CLOUD_FONT_WEIGHT} ${word.size + 1}px "${family}"`;
    ctx.fillStyle = PALETTE[i % PALETTE.length] ?? '#ffffff';
    ctx.fillText(word.text, -Math.floor(ctx.measureText(word.text).width / 2), 0);
    ctx.restore();
  });
  return canvas.encode('png');
}

/** Ink bounds of the placed words, relative to the layout centre. */
function boundingBox(placed: PlacedWord[], ctx: SKRSContext2D, family: string) {
  const box = { left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity };
  for (const word of placed) {
    ctx.font = `${CLOUD_FONT_WEIGHT} ${word.size + 1}px "${family}"`;
    const m = ctx.measureText(word.text);
    const half = Math.floor(m.width / 2);
    const up = m.actualBoundingBoxAscent;
    const down = m.actualBoundingBoxDescent;
    const [w, h] = word.rotate ? [up + down, 2 * half] : [2 * half, up + down];
    const cy = word.rotate ? 0 : (down - up) / 2;
    const cx = word.rotate ? (up - down) / 2 : 0;
    box.left = Math.min(box.left, word.x + cx - w / 2);
    box.right = Math.max(box.right, word.x + cx + w / 2);
    box.top = Math.min(box.top, word.y + cy - h / 2);
    box.bottom = Math.max(box.bottom, word.y + cy + h / 2);
  }
  return box;
}
