/**
 * The project's small family of errors. Each carries the context an operator needs to act
 * (the file, the date, the destination, the platform's own code) and the underlying `cause`.
 */
export class DigestError extends Error {
  override name = 'DigestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A file that cannot be read as a report. */
export class ReportParseError extends DigestError {
  override name = 'ReportParseError';
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}

/**
 * A report held back from delivery because it has fewer core points than it announces (a file
 * still being written in parts); `digest post DATE --force` sends it as it is.
 */
export class ReportHeldError extends DigestError {
  override name = 'ReportHeldError';
  constructor(
    readonly slug: string,
    readonly date: string,
    readonly points: number,
    readonly expected: number,
  ) {
    super(`report ${slug} is held: only ${points} of ${expected} core points; it goes out once complete (digest post ${date} --force sends it as it is)`);
  }
}

/** A requested date that has no report; names the nearest dates that do. */
export class ReportNotFoundError extends DigestError {
  override name = 'ReportNotFoundError';
  constructor(
    readonly date: string,
    readonly nearest: { before: string | null; after: string | null },
  ) {
    const near = [nearest.before, nearest.after].filter((d): d is string => d !== null);
    super(
      near.length > 0
        ? `no report for ${date}; nearest: ${near.join(', ')}`
        : `no report for ${date}; the content folder has no reports`,
    );
  }
}

/** Text that is not a date we understand (`2026-13-45`, `next tuesday`). */
export class InvalidDateError extends DigestError {
  override name = 'InvalidDateError';
  constructor(readonly input: string) {
    super(`not a date: "${input}" (try 2026-01-03, 20260103, 2026/1/3, today or yesterday)`);
  }
}

/** Configuration that failed validation; lists every bad key at once. */
export class ConfigError extends DigestError {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The database could not be opened, migrated or written. */
export class StoreError extends DigestError {
  override name = 'StoreError';
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`database ${path}: ${reason}`, options);
  }
}

/** The database a read-only command needs is not there: said plainly, never created in its place. */
export class NoDatabaseError extends StoreError {
  override name = 'NoDatabaseError';
}
