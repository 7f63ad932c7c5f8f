import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { instanceTag, taggedApplicationName } from '../../instance-tag.ts';
import { silentLogger, type Logger } from '../../log.ts';
import type { BudgetToken, RateBudget } from '../../platforms/rate-budget.ts';
import { describePostgresFailure, openBoundedClient, type PostgresTimeouts } from './postgres-pool-options.ts';

export interface PostgresRateBudgetOptions {
  /** The database every instance shares (DATABASE_URL); the table goes in its current schema. */
  connectionString: string;
  /** The bot token whose budget this is. Only a hash of it is stored. */
  token: string;
  /** Requests per window (Telegram: 30 a second per bot). */
  capacity: number;
  windowMs: number;
  /**
   * Tokens leased in one statement at most (default 1). A leased token counts from its lease, so
   * one waiting in an instance's stock is budget no one uses: with three instances answering a
   * burst, 5 at a time gave 16.7 answers/s, 1 at a time 20.6 (bench/command-burst.ts).
   */
  leaseSize?: number;
  /**
   * How long a token taken and not yet answered counts at most (default 90 s): longer than any
   * request may run (grammY's 75 s timeout), so only a token of an instance that died expires.
   */
  leaseMs?: number;
  /**
   * A seat whose window ends within this long may be leased already (default 150 ms): it is
   * handed out once its window has ended, so the statement's round trip overlaps the window's
   * end instead of adding to every seat's turn.
   */
  lookaheadMs?: number;
  /** Leased tokens unused this long, with nothing waiting for them, are given back (default 250 ms). */
  holdMs?: number;
  /**
   * How long the budget grants locally after the database failed, before asking it again
   * (default 5 s). Sending on with the pacer's own limits beats stopping every send: a 429 that
   * may follow is waited out like any other.
   */
  outageRetryMs?: number;
  logger?: Logger;
  timeouts?: PostgresTimeouts;
}

/** One seat of the shared window, held by this instance under `holder`. */
interface Seat {
  index: number;
  holder: string;
  /** When it may be used (performance.now()): once the window of its last request has ended. */
  usableAt: number;
}

/** The table's key for a token's budget: a hash, never the token; the figures in it, so instances configured alike share. */
export function budgetKeyOf(token: string, capacity: number, windowMs: number): string {
  const digest = createHash('sha256').update(`ai-digest-bot rate-budget:${token}`).digest('hex');
  return `${digest.slice(0, 32)}:${capacity}/${windowMs}`;
}

/**
 * Per seat: until when it is busy (a lease, or the window after an answer), from when its holder
 * may use it (the end of the window before), and who holds it ('' when nobody).
 */
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS rate_budget_seats (
  budget_key text PRIMARY KEY,
  busy_until float8[] NOT NULL,
  usable_from float8[] NOT NULL,
  holders text[] NOT NULL
)`;

const CREATE_ROW = `INSERT INTO rate_budget_seats (budget_key, busy_until, usable_from, holders)
VALUES ($1, array_fill(0::float8, ARRAY[$2::int]), array_fill(0::float8, ARRAY[$2::int]), array_fill(''::text, ARRAY[$2::int]))
ON CONFLICT (budget_key) DO NOTHING`;

/**
 * One statement, atomic on the budget's row (a concurrent one waits for the row lock and is then
 * evaluated again on the row as that one left it): gives back seats ($4 index, $5 holder, $6 age:
 * ms since the platform answered, busy for the rest of the window ($8); an unused seat has an age
 * of a whole window: free from when it was usable), then leases up to $3 seats free now or within
 * $9 ms, soonest first, to holder $2 (busy for $7 ms: the lease; usable from the end of the
 * window before). Times are the database's clock in ms; an age is a duration this instance
 * measured up to sending the statement, which the database runs later, so the window it leaves
 * is never short (only the clocks' rates are assumed alike, never their settings). Returns that
 * clock and the seats.
 */
const LEASE = `UPDATE rate_budget_seats AS b
SET (busy_until, usable_from, holders) = (
  SELECT array_agg(CASE WHEN t.pick THEN t.now + $7 ELSE t.busy END ORDER BY t.i),
         array_agg(CASE WHEN t.pick THEN GREATEST(t.busy, t.now) ELSE t.usable END ORDER BY t.i),
         array_agg(CASE WHEN t.pick THEN $2 ELSE t.holder END ORDER BY t.i)
  FROM (
    SELECT r.*, r.busy <= r.now + $9 AND row_number() OVER (PARTITION BY r.busy <= r.now + $9 ORDER BY r.busy, r.i) <= $3 AS pick
    FROM (
      SELECT s.i, c.now, s.usable,
        CASE WHEN g.age IS NULL THEN s.busy ELSE GREATEST(s.usable, c.now + $8 - LEAST($8, GREATEST(0, g.age))) END AS busy,
        CASE WHEN g.age IS NULL THEN s.holder ELSE '' END AS holder
      FROM unnest(b.busy_until, b.usable_from, b.holders) WITH ORDINALITY AS s(busy, usable, holder, i)
      CROSS JOIN (SELECT extract(epoch FROM clock_timestamp()) * 1000 AS now) c
      LEFT JOIN unnest($4::int[], $5::text[], $6::float8[]) AS g(i, holder, age) ON g.i = s.i AND g.holder = s.holder
    ) r
  ) t
)
WHERE b.budget_key = $1
RETURNING (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS now, b.busy_until, b.usable_from, b.holders`;

/**
 * A bot token's rate budget shared by every instance on one PostgreSQL database: a row per
 * budget holding `capacity` seats, each busy until a time of the database's clock. A token is a
 * seat leased to this instance (counted from the lease); once the platform answered, the seat is
 * given back busy for `windowMs` more. At any moment every request the platform may still count
 * holds a seat, so all instances together keep to `capacity` per window — the AnswerTimedWindow
 * rule across processes, with no margin and no shared clock but the database's.
 *
 * Seats are leased as the pacer needs them (`leaseSize` at most per statement) and answered ones
 * given back in the next statement, with how long ago their answer came, so a late statement
 * costs no budget: about two statements a send, 60 a second for all instances at Telegram's 30.
 */
export class PostgresRateBudget implements RateBudget {
  private readonly key: string;
  private readonly leaseSize: number;
  private readonly leaseMs: number;
  private readonly holdMs: number;
  private readonly lookaheadMs: number;
  /** Tells the caller when the first seat leased ahead becomes usable. */
  private usableTimer: NodeJS.Timeout | null = null;
  private readonly outageRetryMs: number;
  private readonly logger: Logger;
  private readonly listeners = new Set<() => void>();
  /** Seats leased and not yet handed out. */
  private stock: Seat[] = [];
  /**
   * Seats handed out whose request was answered (`answeredAt`, performance.now()), or given back
   * unused (null), not yet told to the database.
   */
  private returns: Array<{ seat: Seat; answeredAt: number | null }> = [];
  /** Tokens the caller could use now beyond the stock (its last tryTake's hint). */
  private demand = 0;
  /** When tryTake was last called (local clock). */
  private askedAt = 0;
  /** The last tryTake said null: its caller waits for onAvailable. */
  private starved = false;
  private client: pg.Client | null = null;
  private running = false;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  /**
   * Names this budget's leases (`<instance tag>/<random>#<n>`, unique per statement): the seats a
   * statement leased are the ones that carry its name. The random part tells apart two budgets of
   * one process (tests, or a CLI beside the bot).
   */
  private readonly holderPrefix = `${instanceTag()}/${randomBytes(4).toString('hex')}`;
  private sequence = 0;
  /** Until when tokens are granted locally because the database failed. */
  private outageUntil = 0;
  private closed = false;

  constructor(private readonly options: PostgresRateBudgetOptions) {
    this.key = budgetKeyOf(options.token, options.capacity, options.windowMs);
    this.leaseSize = Math.max(1, Math.min(options.leaseSize ?? 1, options.capacity));
    this.leaseMs = options.leaseMs ?? 90_000;
    this.holdMs = options.holdMs ?? 250;
    this.lookaheadMs = options.lookaheadMs ?? 150;
    this.outageRetryMs = options.outageRetryMs ?? 5000;
    this.logger = options.logger ?? silentLogger();
  }

  tryTake(wanted = 1): BudgetToken | null {
    if (this.closed || Date.now() < this.outageUntil) return LOCAL_TOKEN;
    const seat = this.stock[0] && this.stock[0].usableAt <= performance.now() ? this.stock.shift() : undefined;
    // At most a lease ahead: a pacer's queue may be long, but it sends no faster than the budget.
    this.demand = Math.min(this.leaseSize, Math.max(0, wanted - (seat ? 1 : 0)));
    this.askedAt = Date.now();
    if (this.stock.length < this.demand) this.schedule(0);
    else if (this.stock.length > 0) this.schedule(this.holdMs);
    this.starved = !seat;
    if (!seat) {
      this.notifyWhenUsable();
      return null;
    }
    let answered = false;
    return {
      answered: () => {
        if (answered) return;
        answered = true;
        this.returns.push({ seat, answeredAt: performance.now() });
        this.schedule(0);
      },
    };
  }

  onAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Gives back the unused seats, tells the answered ones, and ends the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.usableTimer) clearTimeout(this.usableTimer);
    this.timer = null;
    this.demand = 0;
    for (const seat of this.stock.splice(0)) this.returns.push({ seat, answeredAt: null });
    // Best effort and brief (a stop must not wait on a database that stopped answering): what is
    // not given back expires with its lease.
    if (this.returns.length > 0 && this.client && !this.running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.lease(this.client, 0).catch(() => undefined),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, 2000))),
      ]);
      clearTimeout(timer);
    }
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  /** A seat leased ahead and not usable yet: tell the caller when it is. */
  private notifyWhenUsable(): void {
    const first = this.stock[0];
    if (!first || this.usableTimer || this.closed) return;
    this.usableTimer = setTimeout(() => {
      this.usableTimer = null;
      this.notify();
    }, Math.max(0, Math.ceil(first.usableAt - performance.now())));
  }

  /** Runs a statement in `ms` (or sooner if one is already due sooner). */
  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.running) {
      if (ms === 0) this.again = true;
      return;
    }
    const at = Date.now() + ms;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      void this.run();
    }, ms);
  }

  private async run(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    this.again = false;
    let nextInMs: number | null = null;
    try {
      // A caller told "none" waits to be notified; one that got a token and has not asked for a
      // while has nothing more to send (its waiting sends were sent or withdrawn).
      if (!this.starved && Date.now() - this.askedAt >= this.holdMs) this.demand = 0;
      // Nothing waiting: seats leased ahead and left unused go back for the other instances.
      if (this.demand === 0) {
        const now = performance.now();
        const stale = this.stock.filter((seat) => now - seat.usableAt >= this.holdMs);
        this.stock = this.stock.filter((seat) => now - seat.usableAt < this.holdMs);
        for (const seat of stale) this.returns.push({ seat, answeredAt: null });
      }
      const want = Math.min(this.leaseSize, Math.max(0, this.demand - this.stock.length));
      if (want === 0 && this.returns.length === 0) {
        if (this.stock.length > 0) nextInMs = this.holdMs;
        return;
      }
      const client = await this.connect();
      const { granted, waitMs } = await this.lease(client, want);
      if (granted > 0) {
        this.notify();
        if (this.starved) this.notifyWhenUsable();
      }
      if (this.stock.length < this.demand) nextInMs = waitMs;
      else if (this.stock.length > 0) nextInMs = this.holdMs;
    } catch (error) {
      // A statement cut short by close() is no outage.
      if (!this.closed) this.outage(error);
    } finally {
      this.running = false;
      if (this.again) nextInMs = 0;
      if (nextInMs !== null) this.schedule(nextInMs);
    }
  }

  /**
   * The statement: tells the returns, leases `want` seats. `waitMs`: how long until a seat may be
   * free (an answered one's window ends; none can sooner than a window from now, unless another
   * instance gives back an unused one, hence the cap).
   */
  private async lease(client: pg.Client, want: number): Promise<{ granted: number; waitMs: number }> {
    const returns = this.returns.splice(0);
    const holder = `${this.holderPrefix}#${++this.sequence}`;
    const sentAt = performance.now();
    let rows: Array<{ now: number; busy_until: number[]; usable_from: number[]; holders: string[] }>;
    try {
      ({ rows } = await client.query(LEASE, [
        this.key,
        holder,
        want,
        returns.map((r) => r.seat.index),
        returns.map((r) => r.seat.holder),
        returns.map((r) => (r.answeredAt === null ? this.options.windowMs : sentAt - r.answeredAt)),
        this.leaseMs,
        this.options.windowMs,
        this.lookaheadMs,
      ]));
    } catch (error) {
      // Telling again is harmless: a seat no longer ours (or already told) matches nothing.
      this.returns.unshift(...returns);
      throw error;
    }
    const row = rows[0];
    if (!row) {
      // A table made by another instance a moment ago, or a dropped row: make it, ask next time.
      await client.query(CREATE_ROW, [this.key, this.options.capacity]);
      this.returns.unshift(...returns);
      return { granted: 0, waitMs: 0 };
    }
    // Waits measured from here are at least as long as the database's: it answered before now.
    const received = performance.now();
    let granted = 0;
    let nextFree = row.now + this.options.windowMs;
    row.holders.forEach((seatHolder, i) => {
      if (seatHolder === holder) {
        this.stock.push({ index: i + 1, holder, usableAt: received + Math.max(0, row.usable_from[i]! - row.now) });
        granted += 1;
      } else {
        nextFree = Math.min(nextFree, row.busy_until[i]!);
      }
    });
    this.stock.sort((x, y) => x.usableAt - y.usableAt);
    // Ask again when the next seat comes within reach of the lookahead.
    return { granted, waitMs: Math.min(250, Math.max(5, nextFree - this.lookaheadMs - row.now)) };
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    const client = openBoundedClient({
      connectionString: this.options.connectionString,
      applicationName: taggedApplicationName('ai-digest-bot rate-budget'),
      ...(this.options.timeouts ? { timeouts: this.options.timeouts } : {}),
    });
    const lost = (): void => {
      if (this.client === client) this.client = null;
    };
    client.on('error', lost);
    client.on('end', lost);
    return (async () => {
      try {
        await client.connect();
        await createTable(client);
        await client.query(CREATE_ROW, [this.key, this.options.capacity]);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.client = client;
      return client;
    })();
  }

  /** The database failed: grant locally for a while (the pacer's own limits hold), then ask again. */
  private outage(error: unknown): void {
    const first = Date.now() >= this.outageUntil;
    this.outageUntil = Date.now() + this.outageRetryMs;
    // The stock's seats may be lost with the connection; they expire in the database by their lease.
    this.stock = [];
    if (first) {
      this.logger.warn(
        { event: 'rate_budget.unavailable', reason: describePostgresFailure(error, this.options.timeouts), retryInMs: this.outageRetryMs },
        'shared rate budget unreachable: pacing this instance alone for now',
      );
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

const LOCAL_TOKEN: BudgetToken = { answered: () => undefined };

/** Several instances may create the table at once: one of them wins, the others' errors say it exists. */
async function createTable(client: pg.Client): Promise<void> {
  try {
    await client.query(CREATE_TABLE);
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 23505: the row type's name taken by a concurrent CREATE; 42P07: the table exists.
    if (code === '23505' || code === '42P07') return;
    // Concurrent DDL can fail a CREATE in other ways too (another creator's catalog rows being
    // written meanwhile): what matters is whether the table is there now. If it is not, the
    // failure stands, and the budget paces this instance alone for a while.
    const { rows } = await client.query<{ there: boolean }>(`SELECT to_regclass('rate_budget_seats') IS NOT NULL AS there`);
    if (!rows[0]?.there) throw error;
  }
}
