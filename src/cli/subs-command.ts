import type { CliCommand } from './io.ts';

// Placeholder until this subcommand lands; replaced by its owner.
export const subsCommand: CliCommand = async (_argv, io) => {
  io.stderr('digest subs: not available yet\n');
  return 1;
};
