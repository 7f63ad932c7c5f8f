import type { Messages } from './zh.ts';

/**
 * Every user-facing string in English, for users whose client is set to English. Typed as
 * `Messages` so a key missing here (or one zh does not have) fails the type-check.
 */
export const en: Messages = {
  commands: {
    start: 'Get started: what this bot does and its commands',
    help: 'Show the commands and how to use them',
    report: 'Show the Twitter AI report digest for a date',
    latest: 'Show the latest report digest',
    search: 'Search every report for words',
    dates: 'List the dates that have a report',
    subscribe: 'Subscribe here to the daily report digest',
    unsubscribe: 'Stop the daily report digest here',
    repost: 'Post a report again here (or to every subscription)',
    settings: 'Show or change how the digest is delivered here',
  },
  options: {
    reportDate: 'Date, e.g. 2026-01-03, 20260103, 2026/1/3, today, yesterday',
    repostDate: 'Date (default: the latest report), e.g. 2026-01-03',
    subscribeChannel: 'Channel to subscribe (default: this one)',
    unsubscribeChannel: 'Channel to unsubscribe (default: this one)',
    repostChannel: 'Channel to post to (default: this one)',
    time: 'Time of day to post, HH:MM, e.g. 08:30',
    tz: 'IANA timezone for the time, e.g. Europe/Berlin',
    all: 'Post to every subscription (bot owners only)',
    query: 'Words to search for, e.g. Claude Code or agents',
    role: 'Role to mention with each digest (Discord only)',
    clearRole: 'Stop mentioning a role (Discord only)',
    silent: 'Silent delivery: no notification sound',
    wordcloud: 'Send the word cloud with the digest',
    language: 'Language of the digest labels and buttons (reports are not translated)',
    layout: 'Discord digest layout: components (one message, default) or embeds',
  },
  help: {
    intro: 'I post the daily "Twitter AI 报告" digest and can show any past report.',
    heading: 'Commands:',
    lines: {
      start: '/start — about this bot',
      help: '/help — this help',
      report: '/report <date> — the digest for one date',
      latest: '/latest — the latest digest',
      search: '/search <words> — search every report (Chinese or English)',
      dates: '/dates — dates that have a report',
      subscribe: '/subscribe [time:08:30] [tz:Europe/Berlin] — daily digest here (needs admin rights)',
      unsubscribe: '/unsubscribe — stop the daily digest here (needs admin rights)',
      repost: '/repost [date] — post a report here again (needs admin rights)',
      settings:
        '/settings [role:@role] [silent:on|off] [wordcloud:on|off] [language:zh|en] [layout:components|embeds] — show or change delivery here (needs admin rights; /subscribe takes the same options)',
    },
    dateForms: (timezone: string) =>
      `Dates can be 2026-01-03, 20260103, 2026/1/3, today or yesterday (today / yesterday in ${timezone}).`,
  },
  dates: {
    none: 'There are no reports yet.',
    heading: (shown: number, total: number) =>
      shown === total ? `${total} reports:` : `${total} reports, the latest ${shown}:`,
  },
  report: {
    missingDate: 'Please give a date, for example: /report 2026-01-03',
    invalidDate: (input: string) =>
      `"${input}" is not a date I understand. Try /report 2026-01-03 (or 20260103, 2026/1/3, today, yesterday).`,
    notFound: (date: string, before: string | null, after: string | null) => {
      const near = [before ? `${before} (before)` : null, after ? `${after} (after)` : null].filter(
        (s): s is string => s !== null,
      );
      return near.length > 0
        ? `There is no report for ${date}. Nearest dates with one: ${near.join(', ')}.`
        : `There is no report for ${date}; there are no reports yet.`;
    },
    unreadable: 'That report could not be read; the problem has been logged. Try another date.',
    noReports: 'There are no reports yet.',
  },
  search: {
    missingQuery: 'Please give words to search for, for example: /search Claude Code',
    unavailable: 'Search is not available right now; please try again later.',
    heading: (query: string, shown: number, total: number) =>
      shown === total ? `"${query}": ${total} reports:` : `"${query}": ${total} reports, the ${shown} best:`,
    none: (query: string) => `No report mentions "${query}".`,
    suggestions: (terms: string) => `Did you mean: ${terms}`,
  },
  digest: {
    dateRange: (start: string, end: string) => `${start} to ${end}`,
    published: (time: string) => `Published ${time}`,
    fullReport: 'Full report',
    missedDates: (shown: string, total: number | null) => `Missed reports: ${shown}${total === null ? '' : ` (${total} in all)`}`,
    listSeparator: ', ',
  },
  places: {
    here: 'here',
    thatChannel: 'in that channel',
  },
  subscribe: {
    schedule: (time: string, timezone: string) => `every day at ${time} (${timezone})`,
    subscribed: (place: string, schedule: string | null) =>
      `Subscribed: the daily report digest will arrive ${place} ${schedule ?? 'at the usual time'}.`,
    alreadySubscribed: (place: string, schedule: string | null) =>
      schedule
        ? `Already subscribed ${place}; the digest will now arrive ${schedule}.`
        : `Already subscribed ${place}; nothing to change.`,
    invalidTime: (input: string) =>
      `"${input}" is not a valid time: use 24-hour HH:MM (00:00–23:59), for example time:08:30.`,
    invalidTimezone: (input: string) =>
      `"${input}" is not a timezone I know: use an IANA name such as tz:Asia/Shanghai or tz:Europe/Berlin.`,
    timezoneWithoutTime: 'A timezone alone is not enough: give a time too, for example time:08:30 tz:Europe/Berlin.',
  },
  unsubscribe: {
    unsubscribed: (place: string) => `Unsubscribed: the daily report digest will no longer arrive ${place}.`,
    notSubscribed: (place: string) => `Nothing to stop: there is no subscription ${place}.`,
  },
  repost: {
    done: (date: string, delivered: number, failed: number, deactivated: number) =>
      `Posted the report for ${date} again: ${delivered} delivered, ${failed} failed, ${deactivated} deactivated.`,
    moreErrors: (count: number) => `…and ${count} more errors`,
    held: (date: string, points: number, expected: number) =>
      `The report for ${date} is not complete yet (${points} of ${expected} core points), so it was not posted. It goes out on its own once complete; an operator can send it as it is with: digest post ${date} --force`,
  },
  refusals: {
    unverifiedMember: 'Discord did not say who you are in this server, so the command was not run.',
    manageDiscord: 'You need the Manage Server or Manage Channels permission here to do that.',
    manageTelegram: 'Only an administrator of this group or channel can do that.',
    ownerOnly: 'Only the bot owners can post to every subscription at once.',
  },
  settings: {
    notSubscribed: (place: string) =>
      `There is no subscription ${place}, so there are no delivery settings to show. Subscribe first with /subscribe (it takes the same options).`,
    heading: (place: string) => `Delivery settings ${place}:`,
    changed: (place: string) => `Delivery settings ${place} updated:`,
    role: (role: string | null) => `Role mentioned: ${role ?? 'none'}`,
    silent: (on: boolean) => `Silent delivery: ${on ? 'on' : 'off'}`,
    wordcloud: (on: boolean) => `Word cloud: ${on ? 'sent' : 'not sent'}`,
    language: (language: string | null) => `Language: ${language === 'en' ? 'English (en)' : language === 'zh' ? 'Chinese (zh)' : 'default (Chinese)'}`,
    roleOnTelegram: 'Telegram has no roles, so role cannot be set here. Options on Telegram: silent, wordcloud, language.',
    invalidSwitch: (option: string, input: string) => `"${input}" is not a value for ${option}: write on or off, for example ${option}:off.`,
    roleAndClearRole: 'role and clear_role contradict each other: pick a role, or stop mentioning one.',
    invalidLanguage: (input: string) => `"${input}" is not a language I speak: write zh or en, for example language:en.`,
    layout: (layout: string | null) =>
      `Layout: ${layout === 'embeds' ? 'embeds' : layout === 'components' ? 'components (one message)' : 'default (as the bot is configured)'}`,
    layoutOnTelegram: 'Telegram has one layout, so layout cannot be set here. Options on Telegram: silent, wordcloud, language.',
    invalidLayout: (input: string) => `"${input}" is not a layout: write components or embeds, for example layout:embeds.`,
    invalidRole: (input: string) => `"${input}" is not a role: pick one, for example role:@AI-news; role:none stops mentioning.`,
  },
  errors: {
    unknownCommand: (name: string) => `There is no /${name} command. Send /help to see the commands.`,
    apology: 'Sorry, something went wrong with that command. Please try again later.',
    staleButton: 'This button no longer works; please run the command again.',
  },
};
