/** Where a CLI command writes; tests pass buffers, the real CLI passes process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Environment the command reads configuration from (process.env in real use). */
  env: NodeJS.ProcessEnv;
  /** Project root (config/ and relative paths resolve against it). */
  cwd: string;
  /** Reads all of standard input (for `digest subs import -`); absent where there is none. */
  readStdin?: () => Promise<string>;
  /** How long-running commands show progress on stderr; plain periodic lines when absent. */
  progress?: ProgressIo;
}

/** The terminal facts progress display needs. */
export interface ProgressIo {
  /** stderr is a terminal: draw live bars on `stream`. Otherwise plain lines through `stderr`. */
  isTTY: boolean;
  /** The terminal stream for the bars (process.stderr). */
  stream?: NodeJS.WritableStream;
  /** stdout is the same kind of terminal: result lines go above the bars instead of through them. */
  stdoutIsTTY?: boolean;
  /** At most one plain progress line per this many ms (default 10,000). */
  intervalMs?: number;
}

/** One `digest <name>` subcommand: argv after the name in, exit code out. */
export type CliCommand = (argv: string[], io: CliIo) => Promise<number>;

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    progress: { isTTY: process.stderr.isTTY === true, stream: process.stderr, stdoutIsTTY: process.stdout.isTTY === true },
  };
}
