import type { CliCommand } from './io.ts';

// Placeholder until this subcommand lands; replaced by its owner.
export const previewCommand: CliCommand = async (_argv, io) => {
  io.stderr('digest preview: not available yet\n');
  return 1;
};
