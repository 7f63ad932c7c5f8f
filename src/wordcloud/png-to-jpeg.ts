import { createCanvas, loadImage } from '@napi-rs/canvas';

/** A PNG re-encoded as JPEG (quality 0–100), for a cloud written to a `.jpg` file. */
export async function pngToJpeg(png: Buffer, quality = 90): Promise<Buffer> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  // JPEG has no transparency: what was see-through is white, as in a viewer.
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, image.width, image.height);
  context.drawImage(image, 0, 0);
  return canvas.encode('jpeg', quality);
}
