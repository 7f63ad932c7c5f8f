import type { CliCommand } from './io.ts';

// Placeholder until this subcommand lands; replaced by its owner.
export const wordcloudCommand: CliCommand = async (_argv, io) => {
  io.stderr('digest wordcloud: not available yet\n');
  return 1;
};
