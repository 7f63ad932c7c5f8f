import { DISCORD_LIMITS, TELEGRAM_LIMITS } from '../render/limits.ts';
import type { ImageSize } from './image-size.ts';

/** The largest file every platform accepts as a photo/attachment. */
export const MAX_IMAGE_BYTES = Math.min(TELEGRAM_LIMITS.photoBytes, DISCORD_LIMITS.attachmentBytes);

/**
 * Why an image cannot be sent as is (Telegram photo size, dimension sum and ratio; Discord file
 * size), or null when it fits every platform.
 */
export function imageLimitProblem(size: ImageSize | null, bytes: number): string | null {
  if (bytes > MAX_IMAGE_BYTES) return `${bytes} bytes is over the ${MAX_IMAGE_BYTES}-byte limit`;
  if (!size) return 'unrecognised image format';
  if (size.width <= 0 || size.height <= 0) return 'image has no pixels';
  if (size.width + size.height > TELEGRAM_LIMITS.photoDimensionSum) {
    return `${size.width}×${size.height} is over Telegram's width+height limit of ${TELEGRAM_LIMITS.photoDimensionSum}`;
  }
  if (Math.max(size.width / size.height, size.height / size.width) > TELEGRAM_LIMITS.photoMaxRatio) {
    return `${size.width}×${size.height} is more elongated than Telegram's ratio limit of ${TELEGRAM_LIMITS.photoMaxRatio}`;
  }
  return null;
}
