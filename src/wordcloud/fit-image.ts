import { readFile } from 'node:fs/promises';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { TELEGRAM_LIMITS } from '../render/limits.ts';
import { DigestError } from '../errors.ts';
import { imageLimitProblem, MAX_IMAGE_BYTES } from './image-limits.ts';
import { imageSizeOf } from './image-size.ts';

/**
 * Re-encodes an image that breaks a platform limit as a JPEG that does not: downscaled so
 * width+height stays under Telegram's limit, then at falling quality and size until it is under
 * the byte limit. An image too elongated for Telegram cannot be fixed by scaling: DigestError.
 */
export async function fitImage(file: string): Promise<Buffer> {
  const source = await loadImage(await readFile(file));
  const { width, height } = source;
  if (Math.max(width / height, height / width) > TELEGRAM_LIMITS.photoMaxRatio) {
    throw new DigestError(`${file}: ${width}×${height} is too elongated to send as a photo`);
  }
  // A little under the limit so rounding never lands on it.
  let scale = Math.min(1, (TELEGRAM_LIMITS.photoDimensionSum - 10) / (width + height));
  for (let attempt = 0; attempt < 8; attempt++) {
    const w = Math.max(1, Math.floor(width * scale));
    const h = Math.max(1, Math.floor(height * scale));
    const canvas = createCanvas(w, h);
    const ctx = canvas.getContext('2d');
    // JPEG has no alpha: transparent pixels become white rather than black.
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    ctx.drawImage(source, 0, 0, w, h);
    const jpeg = await canvas.encode('jpeg', 85);
    if (imageLimitProblem(imageSizeOf(jpeg), jpeg.length) === null) return jpeg;
    scale *= Math.sqrt(MAX_IMAGE_BYTES / jpeg.length) * 0.9;
  }
  throw new DigestError(`${file}: could not re-encode under the platform limits`);
}
