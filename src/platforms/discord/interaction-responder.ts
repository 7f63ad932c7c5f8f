import { uploadsOf } from './upload-files.ts';
import { InteractionResponseType, MessageFlags, Routes, type REST, type RawFile } from 'discord.js';
import { isComponentsMessage, IS_COMPONENTS_V2, type DiscordOutgoingMessage } from '../../render/payload-types.ts';
import type { RawInteraction } from './raw-interaction.ts';

/** A message body as the interaction endpoints take it, and the files to upload with it. */
export interface WireMessage {
  body: Record<string, unknown>;
  files: RawFile[];
}

/**
 * The first (and only) response to an interaction (Discord "Interaction Response Object"): the
 * type and its data. Files are uploaded with it where the transport allows.
 */
export interface InitialResponse {
  type: InteractionResponseType;
  data?: Record<string, unknown>;
  files?: RawFile[];
}

/**
 * How an interaction is answered, whatever delivered it: the gateway (the first response is a
 * REST callback) or Discord's HTTP POST (the first response is that request's answer). The
 * handlers decide what to say; a responder only carries it.
 */
export interface InteractionResponder {
  /** The interaction response; exactly once, within Discord's 3 seconds. */
  respond(response: InitialResponse): Promise<void>;
  /** Edits the original response (PATCH …/messages/@original; for a component: the message it is on). */
  editOriginal(message: WireMessage): Promise<void>;
  deleteOriginal(): Promise<void>;
  /** A further message (POST /webhooks/{app}/{token}); the token works for 15 minutes. */
  followUp(message: WireMessage): Promise<void>;
}

/**
 * A rendered message as the wire body plus its files read from disk. `ephemeral` sets the flag
 * (only honoured on a first response or a follow-up). `replaceAttachments` lists the message's
 * uploads explicitly (none when it has none), so an update or edit drops the old word cloud. A
 * Components V2 message keeps its flag (an edit of a V2 message without it is refused) and
 * carries no content and no embeds.
 */
export async function toWireMessage(message: DiscordOutgoingMessage, options: { ephemeral?: boolean; replaceAttachments?: boolean } = {}): Promise<WireMessage> {
  const files = await uploadsOf(message);
  const { attachments } = message.body;
  const uploads = attachments ? { attachments } : options.replaceAttachments ? { attachments: [] } : {};
  const ephemeral = options.ephemeral ? MessageFlags.Ephemeral : 0;
  if (isComponentsMessage(message)) {
    return {
      body: { components: message.body.components, allowed_mentions: { parse: [] }, ...uploads, flags: IS_COMPONENTS_V2 | ephemeral },
      files,
    };
  }
  const { content, embeds, components } = message.body;
  const body: Record<string, unknown> = {
    ...(content !== undefined ? { content } : {}),
    embeds,
    components: components ?? [],
    allowed_mentions: { parse: [] },
    ...uploads,
    ...(ephemeral ? { flags: ephemeral } : {}),
  };
  return { body, files };
}

/**
 * The responder of an interaction received over the gateway: everything through discord.js's
 * REST client, the first response as `POST /interactions/{id}/{token}/callback`. The interaction
 * routes carry no bot token (Discord authorises them by the interaction token).
 */
export function restResponder(rest: REST, interaction: RawInteraction): InteractionResponder {
  const webhook = Routes.webhook(interaction.applicationId, interaction.token);
  const original = Routes.webhookMessage(interaction.applicationId, interaction.token, '@original');
  const withFiles = (files: RawFile[] | undefined) => (files && files.length > 0 ? { files } : {});
  return {
    async respond(response) {
      const body = { type: response.type, ...(response.data ? { data: response.data } : {}) };
      await rest.post(Routes.interactionCallback(interaction.id, interaction.token), { body, auth: false, ...withFiles(response.files) });
    },
    async editOriginal(message) {
      await rest.patch(original, { body: message.body, auth: false, ...withFiles(message.files) });
    },
    async deleteOriginal() {
      await rest.delete(original, { auth: false });
    },
    async followUp(message) {
      await rest.post(webhook, { body: message.body, auth: false, ...withFiles(message.files) });
    },
  };
}
