/** A file uploaded with a message. */
export interface OutgoingFile {
  name: string;
  /** Absolute path on disk. */
  path: string;
  bytes: number;
}

/** Exact JSON body of Discord `POST /channels/{id}/messages`, plus the files sent with it. */
export interface DiscordMessage {
  body: DiscordMessageBody;
  files: OutgoingFile[];
}

export interface DiscordEmbed {
  title?: string;
  url?: string;
  description?: string;
  color?: number;
  timestamp?: string;
  image?: { url: string };
  footer?: { text: string };
  fields?: { name: string; value: string; inline?: boolean }[];
}

/** A Discord button: `custom_id` for ours (styles 1–4), `url` for a link button (style 5). */
export interface DiscordButton {
  type: 2;
  style: 1 | 2 | 5;
  label: string;
  custom_id?: string;
  url?: string;
  disabled?: boolean;
}

/** A row of message components (Discord: at most 5 rows of at most 5 buttons). */
export interface DiscordActionRow {
  type: 1;
  components: DiscordButton[];
}

export interface DiscordMessageBody {
  content?: string;
  embeds: DiscordEmbed[];
  /** Buttons (previous / next / full report, search results). */
  components?: DiscordActionRow[];
  /**
   * Always `parse: []`: text in a report (`@everyone`, `<@id>`) never pings anyone. `roles` lists
   * the one role a subscription asked to mention, on the message whose content mentions it.
   */
  allowed_mentions: { parse: []; roles?: string[] };
  /** Message flags; `SUPPRESS_NOTIFICATIONS` (4096) for a silent subscription. */
  flags?: number;
  attachments?: { id: number; filename: string }[];
  nonce?: string;
  enforce_nonce?: boolean;
}

/** Discord's message flag for a Components V2 message: no content or embeds, components only. */
export const IS_COMPONENTS_V2 = 1 << 15;

/** Components V2 text display: markdown, mentions per `allowed_mentions`. */
export interface DiscordTextDisplay {
  type: 10;
  content: string;
}

/** Components V2 section: one to three text displays beside an accessory (here a link button). */
export interface DiscordSection {
  type: 9;
  components: DiscordTextDisplay[];
  accessory: DiscordButton;
}

/** Components V2 media gallery; an uploaded file is named as `attachment://<name>`. */
export interface DiscordMediaGallery {
  type: 12;
  items: { media: { url: string }; description?: string }[];
}

/** Components V2 separator: `spacing` 1 small, 2 large. */
export interface DiscordSeparator {
  type: 14;
  divider: boolean;
  spacing: 1 | 2;
}

export type DiscordContainerChild = DiscordTextDisplay | DiscordSection | DiscordMediaGallery | DiscordSeparator | DiscordActionRow;

/** Components V2 container: its children framed with an accent colour bar, like an embed. */
export interface DiscordContainer {
  type: 17;
  accent_color: number;
  components: DiscordContainerChild[];
}

/**
 * Exact JSON body of `POST /channels/{id}/messages` for a Components V2 message: `flags` always
 * carries IS_COMPONENTS_V2, and there is no `content` and no `embeds` (Discord refuses both).
 */
export interface DiscordComponentsBody {
  components: DiscordContainer[];
  /** As DiscordMessageBody's: only the subscription's role, where the first message mentions it. */
  allowed_mentions: { parse: []; roles?: string[] };
  flags: number;
  attachments?: { id: number; filename: string }[];
  nonce?: string;
  enforce_nonce?: boolean;
}

/** A Components V2 message body plus the files sent with it. */
export interface DiscordComponentsMessage {
  body: DiscordComponentsBody;
  files: OutgoingFile[];
}

/** A message in either layout, as the sender takes it. */
export type DiscordOutgoingMessage = DiscordMessage | DiscordComponentsMessage;

/** Whether a rendered message is a Components V2 one. */
export function isComponentsMessage(message: DiscordOutgoingMessage): message is DiscordComponentsMessage {
  return ((message.body.flags ?? 0) & IS_COMPONENTS_V2) !== 0;
}

/** One Telegram Bot API call, without `chat_id` (and `message_thread_id`), which the sender adds. */
export type TelegramCall =
  | {
      method: 'sendPhoto';
      params: {
        caption: string;
        parse_mode: 'HTML';
        show_caption_above_media?: boolean;
        allow_paid_broadcast?: boolean;
        disable_notification?: boolean;
      };
      photo: OutgoingFile;
    }
  | {
      method: 'sendMessage';
      params: {
        text: string;
        parse_mode: 'HTML';
        link_preview_options: TelegramLinkPreview;
        reply_markup?: TelegramInlineKeyboard;
        /** Set by the sender for digests to subscribers when `telegram.paidBroadcast` is on. */
        allow_paid_broadcast?: boolean;
        /** Set by the sender for a silent subscription. */
        disable_notification?: boolean;
      };
    };

/**
 * Bot API `LinkPreviewOptions` as digests use them: previews off (`is_disabled`), or the preview of
 * one named link (the full report), never of whichever link a point happens to hold first.
 */
export type TelegramLinkPreview =
  | { is_disabled: true }
  | { url: string; prefer_large_media?: boolean; show_above_text?: boolean };

/** A Telegram inline keyboard button: `callback_data` (≤ 64 bytes) for ours, or a `url`. */
export type TelegramInlineButton = { text: string; callback_data: string } | { text: string; url: string };

export interface TelegramInlineKeyboard {
  inline_keyboard: TelegramInlineButton[][];
}
