import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeDiscordState, FakeGuild } from './fake-discord-state.ts';

/** Gateway opcodes the fake speaks (Discord "Gateway" docs). */
const OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  resume: 6,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
} as const;

interface Session {
  socket: WebSocket;
  sessionId: string;
  sequence: number;
  identified: boolean;
  /** `[shard id, shard count]` from IDENTIFY (`[0, 1]` when the client sent none). */
  shard: [number, number];
}

/** The shard a guild's events go to (Discord "Gateway": `(guild_id >> 22) % num_shards`); DMs go to shard 0. */
export function shardOf(guildId: string | null, count: number): number {
  if (guildId === null || count <= 1) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/**
 * A Discord gateway on a `ws` server, enough for discord.js's WebSocketManager: HELLO, IDENTIFY →
 * READY (guilds unavailable) then one GUILD_CREATE per registered guild, heartbeats acknowledged,
 * RESUME answered with RESUMED when the session is known. Events are dispatched to every
 * identified connection.
 */
export class FakeDiscordGateway {
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #sessions = new Set<Session>();
  readonly #known = new Map<string, number>();
  /** Every payload clients sent, in order (op and data). */
  readonly received: { op: number; d: unknown }[] = [];
  /** WebSocket connections ever opened (identified or not). */
  connectionsOpened = 0;

  constructor(
    private readonly state: FakeDiscordState,
    private readonly gatewayUrl: () => string,
  ) {}

  /** Hands an HTTP upgrade on `/gateway` to the WebSocket server. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
  }

  /** Connections that completed IDENTIFY or RESUME. */
  get connectedSessions(): number {
    return [...this.#sessions].filter((s) => s.identified).length;
  }

  /**
   * Sends a dispatch (op 0) to every identified connection, or with `guildId` given (null: a DM)
   * only to the shard that guild belongs to, as Discord routes guild events.
   */
  dispatch(event: string, data: unknown, guildId?: string | null): void {
    for (const session of this.#sessions) {
      if (!session.identified) continue;
      if (guildId !== undefined && shardOf(guildId, session.shard[1]) !== session.shard[0]) continue;
      this.#send(session, { op: OP.dispatch, t: event, d: data });
    }
  }

  /** The `[id, count]` of each identified connection. */
  get shards(): [number, number][] {
    return [...this.#sessions].filter((s) => s.identified).map((s) => s.shard);
  }

  /** Sends GUILD_CREATE for a guild registered after the clients connected. */
  announceGuild(guild: FakeGuild): void {
    this.dispatch('GUILD_CREATE', this.state.guildCreatePayload(guild), guild.id);
  }

  /** Closes every connection with `code` (4000 unknown error: clients resume; 4004 bad token: they give up). */
  disconnectAll(code: number, reason = 'fake discord: connection dropped'): void {
    for (const session of this.#sessions) session.socket.close(code, reason);
  }

  async close(): Promise<void> {
    for (const session of this.#sessions) session.socket.terminate();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: WebSocket): void {
    const session: Session = { socket, sessionId: '', sequence: 0, identified: false, shard: [0, 1] };
    this.connectionsOpened += 1;
    this.#sessions.add(session);
    socket.on('close', () => {
      this.#sessions.delete(session);
      this.state.changed();
    });
    socket.on('message', (raw) => {
      let payload: { op?: number; d?: unknown };
      try {
        payload = JSON.parse(String(raw)) as { op?: number; d?: unknown };
      } catch {
        socket.close(4002, 'Decode error');
        return;
      }
      this.received.push({ op: payload.op ?? -1, d: payload.d });
      this.#onPayload(session, payload.op, payload.d);
      this.state.changed();
    });
    socket.send(JSON.stringify({ op: OP.hello, d: { heartbeat_interval: 41_250 }, s: null, t: null }));
  }

  #onPayload(session: Session, op: number | undefined, d: unknown): void {
    const data = (d ?? {}) as Record<string, unknown>;
    switch (op) {
      case OP.heartbeat:
        session.socket.send(JSON.stringify({ op: OP.heartbeatAck, d: null, s: null, t: null }));
        return;
      case OP.identify: {
        if (data['token'] !== this.state.token) {
          session.socket.close(4004, 'Authentication failed.');
          return;
        }
        const shard = data['shard'];
        if (shard !== undefined) {
          const valid = Array.isArray(shard) && shard.length === 2 && shard.every((n) => Number.isInteger(n)) && shard[0] >= 0 && shard[0] < shard[1];
          if (!valid) {
            session.socket.close(4010, 'Invalid shard.');
            return;
          }
          session.shard = [shard[0], shard[1]];
        }
        if (session.shard[1] < this.state.requiredShards) {
          session.socket.close(4011, 'Sharding required.');
          return;
        }
        session.sessionId = this.state.nextId();
        session.identified = true;
        this.#known.set(session.sessionId, 0);
        this.#send(session, {
          op: OP.dispatch,
          t: 'READY',
          d: {
            v: 10,
            user: this.state.botUser(),
            guilds: this.#guildsOf(session).map((g) => ({ id: g.id, unavailable: true })),
            session_id: session.sessionId,
            resume_gateway_url: this.gatewayUrl(),
            shard: session.shard,
            application: { id: this.state.applicationId, flags: 0 },
            private_channels: [],
            user_settings: {},
            relationships: [],
            guild_join_requests: [],
            presences: [],
            geo_ordered_rtc_regions: [],
          },
        });
        for (const guild of this.#guildsOf(session)) {
          this.#send(session, { op: OP.dispatch, t: 'GUILD_CREATE', d: this.state.guildCreatePayload(guild) });
        }
        return;
      }
      case OP.resume: {
        const known = typeof data['session_id'] === 'string' && this.#known.has(data['session_id']);
        if (data['token'] !== this.state.token || !known) {
          session.socket.send(JSON.stringify({ op: OP.invalidSession, d: false, s: null, t: null }));
          return;
        }
        session.sessionId = String(data['session_id']);
        session.sequence = Number(data['seq'] ?? 0);
        session.identified = true;
        this.#send(session, { op: OP.dispatch, t: 'RESUMED', d: {} });
        return;
      }
      default:
        // Presence and voice updates are accepted and ignored, like a real gateway that has no one watching.
        return;
    }
  }

  #guildsOf(session: Session): FakeGuild[] {
    return this.state.guilds.filter((g) => shardOf(g.id, session.shard[1]) === session.shard[0]);
  }

  #send(session: Session, payload: { op: number; t: string; d: unknown }): void {
    session.sequence += 1;
    this.#known.set(session.sessionId, session.sequence);
    session.socket.send(JSON.stringify({ ...payload, s: session.sequence }));
  }
}
