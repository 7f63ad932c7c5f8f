/**
 * Every user-facing string in Chinese (zh-CN), the reports' language and the bot's default.
 * English (en.ts) must have exactly the same keys: `Messages` is this catalogue's shape.
 */
export const zh = {
  commands: {
    start: '开始使用：介绍机器人和可用命令',
    help: '查看可用命令和用法',
    report: '查看某一天的 Twitter AI 报告摘要',
    latest: '查看最新一期报告摘要',
    search: '在所有报告中搜索关键词',
    dates: '列出有报告的日期',
    subscribe: '在这里订阅每日报告摘要',
    unsubscribe: '取消这里的每日报告订阅',
    repost: '把某一期报告重新发送到这里（或所有订阅）',
    settings: '查看或更改这里订阅的推送设置',
    status: '查看这里的订阅状态和上一期摘要的送达情况',
  },
  options: {
    reportDate: '日期，例如 2026-01-03、20260103、2026/1/3、today、yesterday',
    repostDate: '日期（默认：最新一期），例如 2026-01-03',
    subscribeChannel: '要订阅的频道（默认：当前频道）',
    unsubscribeChannel: '要取消订阅的频道（默认：当前频道）',
    repostChannel: '发送到的频道（默认：当前频道）',
    time: '每天发送的时间 HH:MM，例如 08:30',
    tz: '时间所用的 IANA 时区，例如 Asia/Shanghai',
    all: '发送到所有订阅（仅限机器人所有者）',
    query: '要搜索的词，例如 Claude Code 或 智能体',
    role: '每期摘要要提及的身份组（仅 Discord）',
    clearRole: '不再提及身份组（仅 Discord）',
    silent: '静默推送：不发出通知提醒',
    wordcloud: '是否随摘要发送词云图',
    language: '摘要标签和按钮的语言（报告正文不翻译）',
    layout: 'Discord 摘要的排版：components（一条消息，默认）或 embeds',
    collapse: '把每条信息的细节折叠起来，一眼看到十个标题（仅 Telegram）',
    tag: '论坛频道：每篇帖子加上的标签名（仅 Discord；none 取消）',
    publish: '公告频道：发布每期摘要给关注的服务器（仅 Discord；默认开）',
  },
  help: {
    intro: '我每天发布「Twitter AI 报告」摘要，也可以随时查看往期报告。',
    heading: '可用命令：',
    lines: {
      start: '/start — 介绍机器人',
      help: '/help — 显示本帮助',
      report: '/report <日期> — 查看某一天的报告摘要',
      latest: '/latest — 查看最新一期',
      search: '/search <关键词> — 在所有报告中搜索（中英文均可）',
      dates: '/dates — 列出有报告的日期',
      subscribe: '/subscribe [time:08:30] [tz:Asia/Shanghai] — 在这里订阅每日摘要（需要管理权限）',
      unsubscribe: '/unsubscribe — 取消这里的订阅（需要管理权限）',
      repost: '/repost [日期] — 把一期报告重新发送到这里（需要管理权限）',
      settings:
        '/settings [role:@身份组] [silent:on|off] [wordcloud:on|off] [language:zh|en] [layout:components|embeds] [collapse:on|off] [tag:论坛标签] [publish:on|off] — 查看或更改这里的推送设置（需要管理权限；这些选项也可以加在 /subscribe 后面；collapse 仅 Telegram；layout、tag、publish 仅 Discord）',
      status: '/status — 这里是否订阅、下一期何时发送、上一期是否送达',
    },
    dateForms: (timezone: string) =>
      `日期可写作 2026-01-03、20260103、2026/1/3、today 或 yesterday（today / yesterday 按 ${timezone} 时区计算）。`,
  },
  dates: {
    none: '目前还没有任何报告。',
    heading: (shown: number, total: number) =>
      shown === total ? `共有 ${total} 份报告：` : `共有 ${total} 份报告，最近 ${shown} 份：`,
  },
  report: {
    missingDate: '请给出日期，例如：/report 2026-01-03',
    invalidDate: (input: string) =>
      `无法识别日期「${input}」。请这样写：/report 2026-01-03（也可以用 20260103、2026/1/3、today、yesterday）。`,
    notFound: (date: string, before: string | null, after: string | null) => {
      const near = [before ? `${before}（之前）` : null, after ? `${after}（之后）` : null].filter(
        (s): s is string => s !== null,
      );
      return near.length > 0
        ? `${date} 没有报告。最近有报告的日期：${near.join('、')}。`
        : `${date} 没有报告，目前还没有任何报告。`;
    },
    unreadable: '这期报告无法读取，问题已记录，请换一个日期试试。',
    noReports: '目前还没有任何报告。',
  },
  search: {
    missingQuery: '请给出要搜索的词，例如：/search Claude Code',
    unavailable: '搜索暂时不可用，请稍后再试。',
    heading: (query: string, shown: number, total: number) =>
      shown === total ? `「${query}」共找到 ${total} 期报告：` : `「${query}」共找到 ${total} 期报告，最相关的 ${shown} 期：`,
    none: (query: string) => `没有找到包含「${query}」的报告。`,
    suggestions: (terms: string) => `你是不是要找：${terms}`,
  },
  digest: {
    /** The date range in a weekly report's title: `2026-01-05 至 2026-01-11`. */
    dateRange: (start: string, end: string) => `${start} 至 ${end}`,
    published: (time: string) => `发布于 ${time}`,
    fullReport: '完整报告',
    missedDates: (shown: string, total: number | null) => `错过的日报：${shown}${total === null ? '' : ` 等 ${total} 期`}`,
    listSeparator: '、',
  },
  places: {
    here: '这里',
    thatChannel: '该频道',
  },
  subscribe: {
    schedule: (time: string, timezone: string) => `每天 ${time}（${timezone}）`,
    subscribed: (place: string, schedule: string | null) =>
      `已订阅：每日报告摘要将于${schedule ?? '默认时间'}发送到${place}。`,
    alreadySubscribed: (place: string, schedule: string | null) =>
      schedule ? `${place}已经订阅过了，发送时间已改为${schedule}。` : `${place}已经订阅过了，无需重复订阅。`,
    invalidTime: (input: string) => `时间「${input}」无效：请用 24 小时制 HH:MM（00:00–23:59），例如 time:08:30。`,
    invalidTimezone: (input: string) =>
      `时区「${input}」无效：请用 IANA 时区名，例如 tz:Asia/Shanghai 或 tz:Europe/Berlin。`,
    timezoneWithoutTime: '只给出时区不够：请同时给出时间，例如 time:08:30 tz:Europe/Berlin。',
    missingPermissions: (place: string, permissions: string) =>
      `我无法在${place}发帖：缺少权限 ${permissions}。请在频道设置里给我这些权限，然后再订阅一次。`,
    permissionNames: {
      'view-channel': '查看频道',
      'send-messages': '发送消息',
      'create-posts': '创建帖子',
      'send-in-threads': '在子区中发送消息',
      'embed-links': '嵌入链接',
      'attach-files': '附加文件',
    },
  },
  unsubscribe: {
    unsubscribed: (place: string) => `已取消订阅：${place}不会再收到每日报告摘要。`,
    notSubscribed: (place: string) => `${place}没有订阅，无需取消。`,
  },
  repost: {
    done: (date: string, delivered: number, failed: number, deactivated: number) =>
      `已重新发送 ${date} 的报告：成功 ${delivered}，失败 ${failed}，已停用 ${deactivated}。`,
    moreErrors: (count: number) => `……另有 ${count} 个错误`,
    held: (date: string, points: number, expected: number) =>
      `${date} 的报告还没有写完（核心信息 ${points}/${expected} 条），所以没有发送。写完后会自动发出；运维也可以用 digest post ${date} --force 按现状发送。`,
  },
  refusals: {
    unverifiedMember: '无法确认你在这个服务器中的身份，命令没有执行。',
    manageDiscord: '需要在这里拥有「管理服务器」或「管理频道」权限才能这样做。',
    manageTelegram: '只有这个群组或频道的管理员才能这样做。',
    ownerOnly: '只有机器人所有者才能向所有订阅重新发送。',
  },
  settings: {
    notSubscribed: (place: string) => `${place}还没有订阅，没有推送设置可看。先用 /subscribe 订阅（也可以直接带上这些选项）。`,
    heading: (place: string) => `${place}的推送设置：`,
    changed: (place: string) => `已更新${place}的推送设置：`,
    role: (role: string | null) => `提及身份组：${role ?? '无'}`,
    silent: (on: boolean) => `静默推送：${on ? '开' : '关'}`,
    wordcloud: (on: boolean) => `词云图：${on ? '发送' : '不发送'}`,
    language: (language: string | null) => `语言：${language === 'en' ? 'English (en)' : language === 'zh' ? '中文 (zh)' : '默认（中文）'}`,
    roleOnTelegram: 'Telegram 没有身份组，不能设置 role。可用的选项：silent、wordcloud、language、collapse。',
    collapse: (on: boolean | null) => `细节：${on === true ? '折叠' : on === false ? '展开' : '默认（按机器人的设置）'}`,
    collapseOnDiscord: 'Discord 上的摘要总是完整显示细节，不能设置 collapse。可用的选项：role、clear_role、silent、wordcloud、language。',
    invalidSwitch: (option: string, input: string) => `${option}「${input}」无效：请写 on 或 off，例如 ${option}:off。`,
    roleAndClearRole: 'role 和 clear_role 不能同时使用：要么选择一个身份组，要么取消提及。',
    invalidLanguage: (input: string) => `语言「${input}」无效：请写 zh 或 en，例如 language:en。`,
    layout: (layout: string | null) =>
      `排版：${layout === 'embeds' ? 'embeds' : layout === 'components' ? 'components（一条消息）' : '默认（按机器人的配置）'}`,
    layoutOnTelegram: 'Telegram 只有一种排版，不能设置 layout。可用的选项：silent、wordcloud、language。',
    invalidLayout: (input: string) => `排版「${input}」无效：请写 components 或 embeds，例如 layout:embeds。`,
    invalidRole: (input: string) => `身份组「${input}」无效：请选择一个身份组，例如 role:@AI-news；写 role:none 可取消提及。`,
    tag: (name: string | null) => `论坛标签：${name ?? '无'}`,
    publish: (on: boolean | null) => `在公告频道发布：${on === false ? '关' : on === true ? '开' : '默认（开）'}`,
    discordOnly: (option: string) => `${option} 只适用于 Discord。`,
    tagNotForum: 'tag 只适用于论坛频道和媒体频道，这里不是。',
    unknownTag: (input: string, tags: string[]) =>
      tags.length === 0 ? `这个论坛没有标签「${input}」，它没有任何标签。` : `这个论坛没有标签「${input}」。可用的标签：${tags.join('、')}。`,
    tagUnchecked: '现在无法从 Discord 读取这个频道的标签，请稍后再试。',
  },
  status: {
    notSubscribed: '这里没有订阅每日报告摘要。管理员可以用 /subscribe 订阅。',
    unsubscribed: '这里没有订阅：订阅已被取消。管理员可以用 /subscribe 重新订阅。',
    stopped: (date: string | null, cause: string) =>
      `这里的订阅已${date ? `于 ${date} ` : ''}停止，原因：${cause}。问题解决后，管理员可以用 /subscribe 重新订阅。`,
    subscribedSince: (date: string) => `已订阅，自 ${date} 起。`,
    nextDue: (time: string, timezone: string) => `下一期：${time}（${timezone}），届时有新报告就发送。`,
    nextDueUnknown: '下一期：按机器人的默认时间发送。',
    lastNone: '这里还没有发送过摘要。',
    delivered: (date: string, at: string, repost: boolean, attempts: number, earlier: string | null) =>
      `上一期：${date} 的报告，已于 ${at} 送达${repost ? '（应要求重新发送）' : ''}${attempts > 1 ? `，共尝试 ${attempts} 次${earlier ? `（之前失败：${earlier}）` : ''}` : ''}。`,
    sending: (date: string, at: string) => `上一期：${date} 的报告正在发送（最近进展 ${at}）；如果机器人中途停止，下次启动时会从中断处继续。`,
    failed: (date: string, at: string, attempts: number, cause: string) =>
      `上一期：${date} 的报告发送失败（${at}，尝试 ${attempts} 次）：${cause}。`,
    deactivated: (date: string, at: string, cause: string) => `上一期：${date} 的报告没有送达（${at}）：${cause}，订阅当时因此停止。`,
    fixPermission: (platform: string): string =>
      platform === 'Discord'
        ? '请给机器人在这里的「查看频道」「发送消息」「嵌入链接」「附加文件」权限。'
        : '请让机器人可以在这里发消息（频道里需要把它设为可发帖的管理员）。',
    retry: (next: string | null, date: string) =>
      `${next ? `下一次到点（${next}）` : '下一次到点时'}会再试，从中断处继续（如果那时没有更新的报告）；管理员也可以用 /repost ${date} 立即重发。`,
    held: (date: string, points: number, expected: number) =>
      `${date} 的报告还没有写完（核心信息 ${points}/${expected} 条），暂不发送；写完后会自动发出。`,
    waiting: (date: string, next: string | null) => `${date} 的报告还没有发到这里，${next ? `将在 ${next} ` : '下一次到点时'}发送。`,
    notReady: (due: string) => `上次到点（${due}）时还没有新报告；新报告准备好后，在下一次到点时发送。`,
    causes: {
      'missing-permission': (platform: string) => `机器人在这里没有发消息的权限（${platform}）`,
      blocked: (_platform: string) => '机器人被用户屏蔽了',
      removed: (_platform: string) => '机器人已被移出，或者这个聊天、频道或话题已不存在',
      'rate-limited': (platform: string) => `${platform} 要求放慢发送（频率限制），机器人已等待并重试`,
      unreachable: (platform: string) => `暂时无法连接 ${platform} 或其服务器出错，机器人已重试`,
      refused: (platform: string) => `${platform} 拒绝了这条消息`,
      unsubscribed: (_platform: string) => '订阅已被取消',
      other: (_platform: string) => '机器人内部出了问题（运维可在日志中查看详情）',
    },
  },
  errors: {
    unknownCommand: (name: string) => `没有 /${name} 这个命令。发送 /help 查看可用命令。`,
    apology: '抱歉，处理这条命令时出了问题，请稍后再试。',
    staleButton: '这个按钮已经失效，请重新发送命令。',
  },
};

/** The shape every language's catalogue has. */
export type Messages = typeof zh;
