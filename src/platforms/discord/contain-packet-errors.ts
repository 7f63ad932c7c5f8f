import type { Client, GatewayDispatchPayload } from 'discord.js';
import type { Logger } from '../../log.ts';

/** The part of discord.js's WebSocketManager this module wraps (private in its typings). */
interface PacketHandling {
  handlePacket(packet?: GatewayDispatchPayload, shard?: unknown): boolean;
}

/**
 * Keeps one bad gateway event from taking the process down. discord.js turns each dispatch into
 * its structures synchronously inside the WebSocket message handler (`WebSocketManager
 * .handlePacket`), so a malformed event (an interaction without `entitlements` or
 * `authorizing_integration_owners`, without `data` …) throws there and becomes an uncaught
 * exception: the whole process, Telegram with it, exits. Wrapping that one method drops the bad
 * event with one log line and lets the next one through. Queued packets (before READY) go through
 * the same method, so they are covered too.
 *
 * Throws at start-up if discord.js no longer has the method, so an upgrade that moves it is
 * noticed at once rather than silently losing the protection.
 */
export function containPacketErrors(client: Client, logger: Logger): void {
  const manager = client.ws as unknown as PacketHandling;
  const original = manager.handlePacket;
  if (typeof original !== 'function') throw new Error('discord.js: WebSocketManager.handlePacket not found; cannot guard against malformed gateway events');
  manager.handlePacket = function guardedHandlePacket(this: PacketHandling, packet, shard) {
    try {
      return original.call(this, packet, shard);
    } catch (error) {
      // Only the event name and id: an interaction payload carries its token.
      const data = packet?.d as { id?: unknown } | undefined;
      logger.error(
        { event: 'discord-event-failed', gatewayEvent: packet?.t ?? null, id: typeof data?.id === 'string' ? data.id : null, err: error },
        'dropped a malformed gateway event',
      );
      return true;
    }
  };
}
