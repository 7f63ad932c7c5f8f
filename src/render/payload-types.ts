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

export interface DiscordMessageBody {
  content?: string;
  embeds: DiscordEmbed[];
  allowed_mentions: { parse: [] };
  attachments?: { id: number; filename: string }[];
  nonce?: string;
  enforce_nonce?: boolean;
}

/** One Telegram Bot API call, without `chat_id` (and `message_thread_id`), which the sender adds. */
export type TelegramCall =
  | {
      method: 'sendPhoto';
      params: { caption: string; parse_mode: 'HTML'; show_caption_above_media?: boolean };
      photo: OutgoingFile;
    }
  | {
      method: 'sendMessage';
      params: {
        text: string;
        parse_mode: 'HTML';
        link_preview_options: { is_disabled: boolean };
      };
    };
