import { formatPreview } from './cli/preview-command.ts';
import type { Config } from './config.ts';
import type { DigestBuilder } from './digest-builder.ts';
import { buildDigestPreview } from './digest-preview.ts';
import type { ReportLibrary } from './report/library.ts';

const HOW_TO_CONFIGURE = `ai-digest-bot: no platform token is set, so no bot was started.

To run the bot, put at least one token in the environment (or in a .env file; see .env.example):
  DISCORD_TOKEN=…        Discord Developer Portal → your application → Bot → Reset Token
  TELEGRAM_BOT_TOKEN=…   from @BotFather
then run \`npm start\` again. Whichever platforms have a token are started.

Meanwhile, this is the digest of the newest report as it would be posted:
`;

/**
 * What `npm start` does without tokens: says how to configure the bot, then previews the newest
 * digest, so a newcomer sees the product working before creating any bot account.
 */
export async function printUnconfiguredHelp(input: {
  library: ReportLibrary;
  digests: DigestBuilder;
  config: Config;
  out: (text: string) => void;
}): Promise<void> {
  const { library, digests, config, out } = input;
  out(HOW_TO_CONFIGURE);
  const report = await library.latest();
  if (!report) {
    out(`\n(no reports in ${config.contentDir} yet)\n`);
    return;
  }
  const { preview } = await buildDigestPreview(report, digests, { discordColor: config.digest.discordColor });
  out(`\n${formatPreview(preview)}`);
}
