import { fileURLToPath } from 'node:url';

/** Absolute path of a file or folder under tests/fixtures/reports. */
export function fixture(...parts: string[]): string {
  return fileURLToPath(new URL(['../fixtures/reports', ...parts].join('/'), import.meta.url));
}
