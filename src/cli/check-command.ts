import type { CliCommand } from './io.ts';

// Placeholder until this subcommand lands; replaced by its owner.
export const checkCommand: CliCommand = async (_argv, io) => {
  io.stderr('digest check: not available yet\n');
  return 1;
};
