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
    status: 'Is the digest subscribed here, when is the next one, did the last one arrive',
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
    collapse: 'Fold each point\'s details so the ten titles show at a glance (Telegram only)',
    tag: 'Forum channels: name of the tag each post gets (Discord only; none removes it)',
    publish: 'Announcement channels: publish each digest to following servers (Discord only; default on)',
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
        '/settings [role:@role] [silent:on|off] [wordcloud:on|off] [language:zh|en] [layout:components|embeds] [collapse:on|off] [tag:forum tag] [publish:on|off] — show or change delivery here (needs admin rights; /subscribe takes the same options; collapse: Telegram only; layout, tag, publish: Discord only)',
      status: '/status — subscribed here or not, when the next digest comes, whether the last one arrived',
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
    missingPermissions: (place: string, permissions: string) =>
      `I cannot post ${place}: I am missing ${permissions}. Give me these permissions in the channel settings, then subscribe again.`,
    permissionNames: {
      'view-channel': 'View Channel',
      'send-messages': 'Send Messages',
      'create-posts': 'Create Posts',
      'send-in-threads': 'Send Messages in Threads',
      'embed-links': 'Embed Links',
      'attach-files': 'Attach Files',
    },
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
    roleOnTelegram: 'Telegram has no roles, so role cannot be set here. Options on Telegram: silent, wordcloud, language, collapse.',
    collapse: (on: boolean | null) => `Details: ${on === true ? 'folded' : on === false ? 'shown in full' : 'the bot\'s default'}`,
    collapseOnDiscord: 'Discord digests always show the details in full, so collapse cannot be set here. Options on Discord: role, clear_role, silent, wordcloud, language.',
    invalidSwitch: (option: string, input: string) => `"${input}" is not a value for ${option}: write on or off, for example ${option}:off.`,
    roleAndClearRole: 'role and clear_role contradict each other: pick a role, or stop mentioning one.',
    invalidLanguage: (input: string) => `"${input}" is not a language I speak: write zh or en, for example language:en.`,
    layout: (layout: string | null) =>
      `Layout: ${layout === 'embeds' ? 'embeds' : layout === 'components' ? 'components (one message)' : 'default (as the bot is configured)'}`,
    layoutOnTelegram: 'Telegram has one layout, so layout cannot be set here. Options on Telegram: silent, wordcloud, language.',
    invalidLayout: (input: string) => `"${input}" is not a layout: write components or embeds, for example layout:embeds.`,
    invalidRole: (input: string) => `"${input}" is not a role: pick one, for example role:@AI-news; role:none stops mentioning.`,
    tag: (name: string | null) => `Forum tag: ${name ?? 'none'}`,
    publish: (on: boolean | null) => `Publish in announcement channel: ${on === false ? 'off' : on === true ? 'on' : 'default (on)'}`,
    discordOnly: (option: string) => `${option} applies on Discord only.`,
    tagNotForum: 'tag applies to forum and media channels only, and this is not one.',
    unknownTag: (input: string, tags: string[]) =>
      tags.length === 0 ? `This forum has no tag "${input}": it has no tags at all.` : `This forum has no tag "${input}". Its tags: ${tags.join(', ')}.`,
    tagUnchecked: "Could not read this channel's tags from Discord just now; please try again.",
  },
  status: {
    notSubscribed: 'Not subscribed: the daily report digest does not come here. A channel manager can start it with /subscribe.',
    unsubscribed: 'Not subscribed: the subscription here was stopped with /unsubscribe. A channel manager can start it again with /subscribe.',
    stopped: (date: string | null, cause: string) =>
      `Not subscribed: the subscription here was stopped${date ? ` on ${date}` : ''} because ${cause}. Once that is fixed, a channel manager can start it again with /subscribe.`,
    subscribedSince: (date: string) => `Subscribed since ${date}.`,
    nextDue: (time: string, timezone: string) => `Next digest: ${time} (${timezone}), when there is a new report.`,
    nextDueUnknown: 'Next digest: at the bot\'s usual time.',
    lastNone: 'No digest has been sent here yet.',
    delivered: (date: string, at: string, repost: boolean, attempts: number, earlier: string | null) =>
      `Last digest: the report of ${date}, delivered at ${at}${repost ? ' (sent again on request)' : ''}${attempts > 1 ? `, after ${attempts} attempts${earlier ? ` (earlier: ${earlier})` : ''}` : ''}.`,
    sending: (date: string, at: string) =>
      `Last digest: the report of ${date} is being sent (last progress ${at}); if the bot stopped meanwhile, it carries on where it stopped when it starts again.`,
    failed: (date: string, at: string, attempts: number, cause: string) =>
      `Last digest: the report of ${date} failed at ${at} after ${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}: ${cause}.`,
    deactivated: (date: string, at: string, cause: string) => `Last digest: the report of ${date} did not arrive (${at}): ${cause}, so the subscription was stopped then.`,
    fixPermission: (platform: string) =>
      platform === 'Discord'
        ? 'Give the bot View Channel, Send Messages, Embed Links and Attach Files here.'
        : 'Let the bot post here (in a channel: make it an administrator that may post messages).',
    retry: (next: string | null, date: string) =>
      `It is tried again ${next ? `at the next due time (${next})` : 'at the next due time'}, carrying on where it stopped (unless a newer report is out by then); a channel manager can send it now with /repost ${date}.`,
    held: (date: string, points: number, expected: number) =>
      `The report of ${date} is held: only ${points} of ${expected} core points so far. It goes out on its own once complete.`,
    waiting: (date: string, next: string | null) => `The report of ${date} has not been sent here yet; it goes out ${next ? `at ${next}` : 'at the next due time'}.`,
    notReady: (due: string) => `At the last due time (${due}) there was no new report; the next one goes out at the next due time once it is ready.`,
    causes: {
      'missing-permission': (platform: string) => `the bot lacks the permission to post here (${platform})`,
      blocked: (_platform: string) => 'the bot was blocked by the user',
      removed: (_platform: string) => 'the bot was removed, or this chat, channel or topic no longer exists',
      'rate-limited': (platform: string) => `${platform} asked the bot to slow down (rate limit); the bot waited and retried`,
      unreachable: (platform: string) => `${platform} could not be reached or had a server error; the bot retried`,
      refused: (platform: string) => `${platform} refused the message`,
      unsubscribed: (_platform: string) => 'it was unsubscribed',
      other: (_platform: string) => 'of an internal problem (the operator finds the details in the log)',
    },
  },
  errors: {
    unknownCommand: (name: string) => `There is no /${name} command. Send /help to see the commands.`,
    apology: 'Sorry, something went wrong with that command. Please try again later.',
    staleButton: 'This button no longer works; please run the command again.',
  },
};
