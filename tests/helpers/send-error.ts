import { expect } from 'vitest';
import { SendError } from '../../src/platforms/platform.ts';

/** Awaits a send that must fail, asserts it failed with a SendError, and returns that error. */
export async function sendError(promise: Promise<unknown>): Promise<SendError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendError);
  return error as SendError;
}
