import { createCanvas } from '@napi-rs/canvas';
import cloud from 'd3-cloud';

type CloudCanvasFactory = Parameters<ReturnType<typeof cloud>['canvas']>[0];

/** d3-cloud's DOM-typed canvas factory; it only calls getContext/measureText/fillText/getImageData. */
const createSpriteCanvas = (() => createCanvas(1, 1)) as unknown as CloudCanvasFactory;

/** A word to lay out: text, font size in px and rotation in degrees. */
export interface LayoutInput {
  text: string;
  size: number;
  rotate: number;
}

/** A placed word: its centre offset from the middle of the layout area (d3-cloud's convention). */
export interface PlacedWord extends LayoutInput {
  x: number;
  y: number;
}

export interface LayoutOptions {
  width: number;
  height: number;
  fontFamily: string;
  fontWeight: number;
  /** Gap around each word in px. */
  padding: number;
  random: () => number;
}

/**
 * Places words with d3-cloud (spiral search with pixel-exact collision masks) in a canvas from
 * `@napi-rs/canvas`. Words that do not fit are left out; the caller compares the result with
 * its input. The layout runs in slices of a few milliseconds so a bot process sharing the event
 * loop keeps answering commands while a cloud is being laid out.
 */
export function layoutWords(words: LayoutInput[], options: LayoutOptions): Promise<PlacedWord[]> {
  return new Promise((resolve) => {
    type CloudWord = LayoutInput & { x?: number; y?: number };
    const layout = cloud<CloudWord>()
      .size([options.width, options.height])
      .canvas(createSpriteCanvas)
      .words(words.map((w) => ({ ...w })))
      .text((w) => w.text)
      .font(options.fontFamily)
      .fontWeight(String(options.fontWeight))
      .fontSize((w) => w.size)
      .rotate((w) => w.rotate)
      .padding(options.padding)
      .spiral('archimedean')
      .random(options.random)
      .timeInterval(15)
      .on('end', (placed: CloudWord[]) => {
        resolve(
          placed.map((w) => ({ text: w.text, size: w.size, rotate: w.rotate, x: w.x ?? 0, y: w.y ?? 0 })),
        );
      });
    layout.start();
  });
}
