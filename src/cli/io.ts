/** Where a CLI command writes; tests pass buffers, the real CLI passes process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Environment the command reads configuration from (process.env in real use). */
  env: NodeJS.ProcessEnv;
  /** Project root (config/ and relative paths resolve against it). */
  cwd: string;
}

/** One `digest <name>` subcommand: argv after the name in, exit code out. */
export type CliCommand = (argv: string[], io: CliIo) => Promise<number>;

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}
