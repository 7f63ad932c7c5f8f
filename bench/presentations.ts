/**
 * Rendering a fan-out whose subscriptions have delivery options: Discord renders once per digest
 * and distinct presentation (DiscordDigestRenderings), not once per channel. Prints the time to
 * render 1,000 channels with two distinct option sets, uncached and cached.
 */
import { performance } from 'node:perf_hooks';
import { DiscordDigestRenderings } from '../src/platforms/discord/digest-renderings.ts';
import { DEFAULT_PRESENTATION, type DigestPresentation } from '../src/platforms/platform.ts';
import { renderDiscordMessages } from '../src/render/discord.ts';
import { renderTelegramCalls } from '../src/render/telegram.ts';
import { ReportLibrary } from '../src/report/library.ts';
import { condenseReport } from '../src/report/condense.ts';

const CHANNELS = 1000;
const library = await ReportLibrary.open(new URL('../content', import.meta.url).pathname);
const report = await library.latest();
if (!report) throw new Error('no report in content/');
const digest = condenseReport(report, { detailMaxChars: 200, reportUrlTemplate: 'https://example.com/{slug}', titlePrefix: 'Twitter AI 报告' }, null);
const presentations: DigestPresentation[] = [DEFAULT_PRESENTATION, { ...DEFAULT_PRESENTATION, mentionRoleId: '700000000000000077', locale: 'en' }];

let start = performance.now();
for (let i = 0; i < CHANNELS; i += 1) renderDiscordMessages(digest, { color: 1, ...presentations[i % 2]! });
const uncached = performance.now() - start;

const renderings = new DiscordDigestRenderings(1);
start = performance.now();
for (let i = 0; i < CHANNELS; i += 1) renderings.messagesFor(digest, { ...presentations[i % 2]! });
const cached = performance.now() - start;

start = performance.now();
for (let i = 0; i < CHANNELS; i += 1) renderTelegramCalls(digest, { locale: presentations[i % 2]!.locale });
const telegramUncached = performance.now() - start;

console.log(`discord: ${CHANNELS} channels, 2 distinct option sets: ${uncached.toFixed(1)} ms rendering each, ${cached.toFixed(1)} ms with the per-presentation cache (${renderings.renderCount} renderings)`);
console.log(`telegram: ${CHANNELS} renderings uncached would take ${telegramUncached.toFixed(1)} ms (send-digest caches per digest, language and picture)`);
