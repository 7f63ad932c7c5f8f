import type { CliCommand } from './io.ts';

// Placeholder until this subcommand lands; replaced by its owner.
export const postCommand: CliCommand = async (_argv, io) => {
  io.stderr('digest post: not available yet\n');
  return 1;
};
