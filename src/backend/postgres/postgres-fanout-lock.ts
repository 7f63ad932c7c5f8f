import { createHash } from 'node:crypto';
import type pg from 'pg';
import { DigestError } from '../../errors.ts';
import { taggedApplicationName } from '../../instance-tag.ts';
import { silentLogger, type Logger } from '../../log.ts';
import { openBoundedClient, type PostgresTimeouts } from './postgres-pool-options.ts';
import type { FanoutLock } from '../../delivery/fanout-lock.ts';

export interface PostgresFanoutLockOptions {
  /** The database every instance shares (DATABASE_URL). */
  connectionString: string;
  /**
   * What the lock keys are derived from besides the scope: instances of one bot must use the
   * same; two bots (or two test runs) on one database use different ones. Default `digest`.
   */
  namespace?: string;
  /** How often a busy lock is tried again. */
  pollMs?: number;
  /** How long to wait for another instance's fan-out before giving up. */
  timeoutMs?: number;
  logger?: Logger;
  /** How long the server may take to answer (config `database`); the defaults otherwise. */
  timeouts?: PostgresTimeouts;
  /** Called once per acquire that has to wait (e.g. `digest post` says "waiting for…"). */
  onWait?: (scope: string) => void;
}

/** The two 32-bit halves of the advisory-lock key of `namespace:scope`. */
export function advisoryKeyOf(namespace: string, scope: string): [number, number] {
  const digest = createHash('sha256').update(`ai-digest-bot fanout ${namespace}:${scope}`).digest();
  return [digest.readInt32BE(0), digest.readInt32BE(4)];
}

/**
 * The fan-out lock of several instances on one PostgreSQL database: a session-level advisory lock
 * per platform (`pg_try_advisory_lock`), held on a connection of its own for as long as the
 * fan-out runs. The server releases it the moment that connection ends, so an instance that dies
 * (SIGKILL, a lost machine once TCP notices) frees its platforms without waiting for any expiry,
 * and one that is alive is never taken over however long its fan-out runs. Re-entrant within
 * the process like FileFanoutLock: concurrent fan-outs of one instance share a scope's lock.
 */
export class PostgresFanoutLock implements FanoutLock {
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private readonly holders = new Map<string, number>();
  private readonly taking = new Map<string, Promise<void>>();
  private readonly logger: Logger;
  private readonly namespace: string;
  private closed = false;
  private waitsStopped = false;
  private readonly listeners = new Set<(scope: string, held: boolean) => void>();
  private signalLost: (reason: string) => void = () => undefined;
  /**
   * Settles when the lock connection ends while holding a scope: another instance may take over
   * now, so this one must stop sending (the bot exits non-zero; the supervisor restarts it).
   */
  readonly lost: Promise<string>;

  constructor(private readonly options: PostgresFanoutLockOptions) {
    this.logger = options.logger ?? silentLogger();
    this.namespace = options.namespace ?? 'digest';
    this.lost = new Promise((resolve) => {
      this.signalLost = resolve;
    });
  }

  /** Told whenever this instance takes or gives up a scope (metrics, readiness, logs). */
  onChange(listener: (scope: string, held: boolean) => void): void {
    this.listeners.add(listener);
  }

  private changed(scope: string, held: boolean): void {
    for (const listener of this.listeners) listener(scope, held);
  }

  /** The scopes this instance holds now. */
  heldScopes(): string[] {
    return [...this.holders.keys()];
  }

  /** Whether this instance holds `scope`. */
  holds(scope: string): boolean {
    return (this.holders.get(scope) ?? 0) > 0;
  }

  async acquire(scope: string): Promise<() => void> {
    await this.take(scope, true);
    return this.releaser(scope);
  }

  /**
   * The lock of `scope` if nobody else holds it now (re-entrant: true when this instance holds
   * it already), else null. Never waits.
   */
  async tryAcquire(scope: string): Promise<(() => void) | null> {
    if (!(await this.take(scope, false))) return null;
    return this.releaser(scope);
  }

  private releaser(scope: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // After a lost connection the scope is no longer held: nothing to give back.
      if (!this.holders.has(scope)) return;
      const left = (this.holders.get(scope) ?? 1) - 1;
      if (left > 0) {
        this.holders.set(scope, left);
        return;
      }
      this.holders.delete(scope);
      this.changed(scope, false);
      this.logger.info({ event: 'fanout.lock_released', platform: scope }, `${scope} fan-out lock released`);
      const client = this.client;
      if (client) {
        const [a, b] = advisoryKeyOf(this.namespace, scope);
        client.query('SELECT pg_advisory_unlock($1, $2)', [a, b]).catch(() => undefined);
      }
    };
  }

  /** Takes `scope` (counting a holder); with `wait`, polls until free or the timeout. */
  private async take(scope: string, wait: boolean): Promise<boolean> {
    for (;;) {
      const held = this.holders.get(scope) ?? 0;
      if (held > 0) {
        this.holders.set(scope, held + 1);
        return true;
      }
      // Another acquire of this process is asking the server already: share its answer.
      const pending = this.taking.get(scope);
      if (pending) {
        await pending.catch(() => undefined);
        if (this.holders.has(scope)) continue;
        if (!wait) return false;
      }
      const attempt = this.tryOnServer(scope, wait);
      // Only a signal for other acquires of this process: the caller below sees any failure.
      const marker = attempt.then(
        () => undefined,
        () => undefined,
      );
      this.taking.set(scope, marker);
      try {
        const got = await attempt;
        if (!got) return false;
        this.holders.set(scope, 1);
        this.changed(scope, true);
        this.logger.info({ event: 'fanout.lock_taken', platform: scope }, `${scope} fan-out lock taken: this instance sends ${scope}`);
        return true;
      } finally {
        if (this.taking.get(scope) === marker) this.taking.delete(scope);
      }
    }
  }

  private async tryOnServer(scope: string, wait: boolean): Promise<boolean> {
    const [a, b] = advisoryKeyOf(this.namespace, scope);
    const started = Date.now();
    const pollMs = this.options.pollMs ?? 500;
    const timeoutMs = this.options.timeoutMs ?? 6 * 3600_000;
    let told = false;
    for (;;) {
      if (this.closed) throw new DigestError(`fan-out lock for ${scope}: closed`);
      if (this.waitsStopped && wait) throw new DigestError(`fan-out lock for ${scope}: stopping, not waiting for another instance`);
      const client = await this.connect();
      const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS got', [a, b]);
      if (rows[0]?.got === true) return true;
      if (!wait) return false;
      if (Date.now() - started > timeoutMs) {
        throw new DigestError(`another instance is delivering ${scope}; gave up waiting after ${Math.round(timeoutMs / 1000)} s`);
      }
      if (!told) {
        told = true;
        this.options.onWait?.(scope);
        this.logger.info({ event: 'fanout.lock_wait', platform: scope }, `another instance is sending ${scope}; waiting`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      // A half-open connection (the instance's machine lost) is noticed by the server through
      // its own tcp_keepalives settings; the keepalive and timeouts make this side notice a dead server too.
      const client = openBoundedClient({
        connectionString: this.options.connectionString,
        applicationName: taggedApplicationName('ai-digest-bot fanout-lock'),
        ...(this.options.timeouts ? { timeouts: this.options.timeouts } : {}),
      });
      const lost = (reason: string): void => {
        if (this.client !== client) return;
        this.client = null;
        const held = this.heldScopes();
        this.holders.clear();
        for (const scope of held) this.changed(scope, false);
        if (held.length > 0 && !this.closed) {
          this.logger.error({ event: 'fanout.lock_lost', platforms: held, reason }, 'fan-out lock connection lost while sending');
          this.signalLost(`fan-out lock connection lost while sending ${held.join(', ')}: ${reason}`);
        }
      };
      client.on('error', (error) => lost(error.message));
      client.on('end', () => lost('connection ended'));
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /**
   * Acquires that wait for another instance give up (now and from now on): a stopping instance
   * must not wait hours for another's fan-out. Held scopes stay held until released.
   */
  stopWaiting(): void {
    this.waitsStopped = true;
  }

  /** Ends the lock connection, which releases every scope it holds. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    this.holders.clear();
    await client?.end().catch(() => undefined);
  }

  /** Test hook: the server-side process id of the lock connection (pg_terminate_backend kills it). */
  async backendPid(): Promise<number> {
    const client = await this.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return rows[0]?.pid ?? 0;
  }
}
