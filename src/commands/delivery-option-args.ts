import { bothLocales, type Messages } from '../i18n/index.ts';
import { isLocale } from '../locale.ts';
import { DISCORD_LAYOUTS, type DiscordLayout, type SubscriptionOptions } from '../store/store.ts';
import { CommandInputError, quotedInput } from './input-error.ts';
import type { CommandArgs, CommandContext, CommandOption } from './types.ts';

/** The delivery options `/subscribe` and `/settings` both take (Discord shows `role` as a role picker). */
export const DELIVERY_OPTIONS: readonly CommandOption[] = [
  { name: 'role', type: 'role', required: false, description: bothLocales((m) => m.options.role) },
  { name: 'clear_role', type: 'boolean', required: false, description: bothLocales((m) => m.options.clearRole) },
  { name: 'silent', type: 'boolean', required: false, description: bothLocales((m) => m.options.silent) },
  { name: 'wordcloud', type: 'boolean', required: false, description: bothLocales((m) => m.options.wordcloud) },
  { name: 'language', type: 'string', required: false, choices: ['zh', 'en'], description: bothLocales((m) => m.options.language) },
  { name: 'layout', type: 'string', required: false, choices: [...DISCORD_LAYOUTS], description: bothLocales((m) => m.options.layout) },
  { name: 'collapse', type: 'boolean', required: false, platforms: ['telegram'], description: bothLocales((m) => m.options.collapse) },
  { name: 'tag', type: 'string', required: false, description: bothLocales((m) => m.options.tag) },
  { name: 'publish', type: 'boolean', required: false, description: bothLocales((m) => m.options.publish) },
];

const ON = new Set(['on', 'true', 'yes', '1', '开', '是']);
const OFF = new Set(['off', 'false', 'no', '0', '关', '否']);
/** Words that clear a role or the language. */
const NONE = new Set(['none', 'off', 'default', 'no', '-', '无', '默认']);
/** A role as Discord's picker gives it (an id) or as typed (`<@&id>`). */
const ROLE = /^(?:<@&)?(\d{5,25})>?$/;

function readSwitch(name: 'silent' | 'wordcloud' | 'clear_role' | 'collapse' | 'publish', input: string, m: Messages): boolean {
  const value = input.trim().toLowerCase();
  if (ON.has(value)) return true;
  if (OFF.has(value)) return false;
  throw new CommandInputError(m.settings.invalidSwitch(name, quotedInput(input)));
}

/**
 * The delivery options given with a command, only those given. Throws CommandInputError with an
 * explanation for a bad value, for a role or a layout on Telegram (it has neither: refused rather
 * than stored and silently ignored), and likewise for `collapse` on Discord. Silence and the word
 * cloud are taken on both platforms (Discord: `@silent` messages, a digest without its picture).
 */
export function readDeliveryOptions(args: CommandArgs, context: Pick<CommandContext, 'platform'>, m: Messages): Partial<SubscriptionOptions> {
  const options: Partial<SubscriptionOptions> = {};
  if (args.role !== undefined) {
    if (context.platform !== 'discord') throw new CommandInputError(m.settings.roleOnTelegram);
    const input = args.role.trim();
    if (NONE.has(input.toLowerCase())) options.mentionRoleId = null;
    else {
      const id = ROLE.exec(input)?.[1];
      if (id === undefined) throw new CommandInputError(m.settings.invalidRole(quotedInput(input)));
      options.mentionRoleId = id;
    }
  }
  if (args.clear_role !== undefined) {
    if (context.platform !== 'discord') throw new CommandInputError(m.settings.roleOnTelegram);
    if (readSwitch('clear_role', args.clear_role, m)) {
      if (args.role !== undefined && options.mentionRoleId !== null) throw new CommandInputError(m.settings.roleAndClearRole);
      options.mentionRoleId = null;
    }
  }
  if (args.silent !== undefined) options.silent = readSwitch('silent', args.silent, m);
  if (args.wordcloud !== undefined) options.wordcloud = readSwitch('wordcloud', args.wordcloud, m);
  if (args.publish !== undefined) {
    if (context.platform !== 'discord') throw new CommandInputError(m.settings.discordOnly('publish'));
    options.publish = readSwitch('publish', args.publish, m);
  }
  // `tag` names a forum tag: resolved against the channel's tags by checkPostingTarget.
  if (args.tag !== undefined && context.platform !== 'discord') throw new CommandInputError(m.settings.discordOnly('tag'));
  if (args.language !== undefined) {
    const input = args.language.trim().toLowerCase();
    if (NONE.has(input)) options.language = null;
    else if (isLocale(input)) options.language = input;
    else throw new CommandInputError(m.settings.invalidLanguage(quotedInput(args.language)));
  }
  if (args.layout !== undefined) {
    // Telegram has one layout: refused rather than stored and silently ignored, like a role.
    if (context.platform !== 'discord') throw new CommandInputError(m.settings.layoutOnTelegram);
    const input = args.layout.trim().toLowerCase();
    if (NONE.has(input)) options.layout = null;
    else if ((DISCORD_LAYOUTS as readonly string[]).includes(input)) options.layout = input as DiscordLayout;
    else throw new CommandInputError(m.settings.invalidLayout(quotedInput(args.layout)));
  }
  if (args.collapse !== undefined) {
    // Discord shows a digest's details in full: refused rather than stored and silently ignored.
    if (context.platform !== 'telegram') throw new CommandInputError(m.settings.collapseOnDiscord);
    const input = args.collapse.trim().toLowerCase();
    options.collapseDetails = input === 'default' || input === '默认' ? null : readSwitch('collapse', args.collapse, m);
  }
  return options;
}

/**
 * The settings as lines for a reply (`@role` as a mention Discord shows without pinging). The
 * forum tag and publishing are shown on Discord once set (`tagName`: the tag's name when known,
 * else its id).
 */
export function describeDeliveryOptions(
  options: SubscriptionOptions,
  context: Pick<CommandContext, 'platform'>,
  m: Messages,
  tagName: string | null = null,
): string[] {
  const lines = [
    m.settings.silent(options.silent),
    m.settings.wordcloud(options.wordcloud),
    m.settings.language(options.language),
  ];
  // Folded details are Telegram's alone.
  if (context.platform === 'telegram') lines.push(m.settings.collapse(options.collapseDetails));
  // Telegram has no roles, forum tags or announcement channels: the lines would only confuse.
  if (context.platform === 'discord') {
    lines.unshift(m.settings.role(options.mentionRoleId === null ? null : `<@&${options.mentionRoleId}>`));
    if (options.forumTagId !== null) lines.push(m.settings.tag(tagName ?? options.forumTagId));
    if (options.publish !== null) lines.push(m.settings.publish(options.publish));
    lines.push(m.settings.layout(options.layout));
  }
  return lines;
}
