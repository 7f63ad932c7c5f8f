import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type StrictConfig<O extends OptionsConfig> = { args: string[]; options: O; allowPositionals: true; strict: true };

/** A wrong invocation: the command prints its one line (and its usage) and exits 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}

// parseArgs reads `-100123` or `-5` as short options; shells cannot pass NUL in argv, so a NUL
// prefix safely marks negative numbers as plain values until parsing is done (`--width -5` then
// reaches the command's own bounds check, `subs add telegram -100…` keeps its chat id).
const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;
const MARK = '\u0000';
const protect = (arg: string): string => (NEGATIVE_NUMBER.test(arg) ? MARK + arg : arg);
const unprotect = (arg: string): string => (arg.startsWith(MARK) ? arg.slice(MARK.length) : arg);

/** The option Node's message names (`'--width <value>'` → `--width`). */
function optionIn(message: string): string {
  return /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? 'an option';
}

/** Node's parser messages, as one line an operator can act on. */
function explain(error: Error & { code?: string }): string {
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${optionIn(error.message)}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /argument missing/.test(error.message)
        ? `${optionIn(error.message)} needs a value`
        : `${optionIn(error.message)} takes no value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${/'([^']*)'/.exec(error.message)?.[1] ?? ''}"`;
    default:
      return error.message;
  }
}

/**
 * node:util parseArgs (strict, positionals allowed) with negative numbers taken as values and
 * every parser error turned into a UsageError of one clear line (`unknown option --bogus`).
 */
export function parseCliArgs<const O extends OptionsConfig>(argv: readonly string[], config: { options: O }) {
  const full: StrictConfig<O> = { args: argv.map(protect), options: config.options, allowPositionals: true, strict: true };
  let result: ReturnType<typeof parseArgs<StrictConfig<O>>>;
  try {
    result = parseArgs(full);
  } catch (error) {
    throw new UsageError(explain(error as Error & { code?: string }));
  }
  const values = result.values as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'string') values[key] = unprotect(value);
    else if (Array.isArray(value)) values[key] = value.map((v) => (typeof v === 'string' ? unprotect(v) : v));
  }
  result.positionals.forEach((p, i) => (result.positionals[i] = unprotect(p)));
  return result;
}
