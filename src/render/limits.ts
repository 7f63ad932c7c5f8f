/**
 * Every platform limit the bot relies on, in one place (see shared/PLATFORMS.md). When a platform
 * changes a figure, edit it here and every renderer, splitter, pacer and fake server follows.
 */
export const DISCORD_LIMITS = {
  contentChars: 2000,
  embedsPerMessage: 10,
  embedTotalChars: 6000,
  embedTitleChars: 256,
  embedDescriptionChars: 4096,
  embedFields: 25,
  embedFieldNameChars: 256,
  embedFieldValueChars: 1024,
  embedFooterChars: 2048,
  embedAuthorNameChars: 256,
  attachmentsPerMessage: 10,
  attachmentBytes: 10 * 1024 * 1024,
  globalRequestsPerSecond: 50,
  channelMessagesPerWindow: 5,
  channelWindowMs: 5000,
  interactionAnswerMs: 3000,
  interactionTokenMs: 15 * 60 * 1000,
  commandNameChars: 32,
  commandDescriptionChars: 100,
  commandOptions: 25,
  autocompleteChoices: 25,
  actionRowsPerMessage: 5,
  buttonsPerRow: 5,
  customIdChars: 100,
  buttonLabelChars: 80,
  /** Components V2 (`IS_COMPONENTS_V2`): every component counts, nested ones included. */
  componentsPerMessage: 40,
  /** Components V2: the text of all text displays in one message together. */
  textDisplayTotalChars: 4000,
  mediaGalleryItems: 10,
  sectionTextDisplays: 3,
} as const;

export const TELEGRAM_LIMITS = {
  messageChars: 4096,
  captionChars: 1024,
  photoBytes: 10 * 1000 * 1000,
  photoDimensionSum: 10000,
  photoMaxRatio: 20,
  mediaGroupMin: 2,
  mediaGroupMax: 10,
  perChatIntervalMs: 1000,
  perGroupPerMinute: 20,
  broadcastPerSecond: 30,
  /**
   * Messages per second overall for sends carrying `allow_paid_broadcast: true`; each message over
   * the free 30 a second costs the bot `paidBroadcastStarsPerMessage` Telegram Stars.
   */
  paidBroadcastPerSecond: 1000,
  paidBroadcastStarsPerMessage: 0.1,
  commandNameChars: 32,
  callbackDataBytes: 64,
  callbackAnswerChars: 200,
  inlineQueryChars: 256,
  inlineResults: 50,
  inlineResultIdBytes: 64,
} as const;

/** Tags Telegram's `parse_mode: "HTML"` accepts (span only as `span class="tg-spoiler"`). */
export const TELEGRAM_HTML_TAGS = [
  'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'tg-emoji',
  'code', 'pre', 'blockquote',
] as const;
