import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs, one line per event. Secrets (bot tokens) are replaced wherever they appear
 * in a logged string, including error messages and URLs that embed the Telegram token.
 */
export function createLogger(options: {
  level?: string;
  secrets?: string[];
  /** Anything with `write(line)`; default stderr. */
  destination?: { write(line: string): unknown };
} = {}): Logger {
  // Every secret, however short; longest first, so one that contains another is replaced whole.
  const secrets = [...new Set(options.secrets ?? [])].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  const scrub = (text: string): string =>
    secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);
  return pino(
    {
      level: options.level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        streamWrite: secrets.length > 0 ? scrub : (s) => s,
      },
    },
    // Logs go to stderr so stdout stays clean for `digest … --json`.
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}

/** A logger that writes nothing, for tests and quiet CLI runs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
