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
