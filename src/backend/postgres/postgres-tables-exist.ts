import { StoreError } from '../../errors.ts';
import { taggedApplicationName } from '../../instance-tag.ts';
import { openBoundedClient, type PostgresTimeouts } from './postgres-pool-options.ts';
import { redactDatabaseUrl } from './postgres-store.ts';

/**
 * Whether the bot's tables exist in the database at `url` (in the schema its search_path names
 * first, where PostgresStore creates them), without creating or migrating anything: read-only
 * commands must not turn an empty database, or the wrong one, into the bot's. One connection with
 * the bot's own settings (`timeouts`: config `database`).
 */
export async function postgresTablesExist(url: string, timeouts?: PostgresTimeouts): Promise<boolean> {
  const client = openBoundedClient({ connectionString: url, applicationName: taggedApplicationName('ai-digest-bot'), ...(timeouts ? { timeouts } : {}) });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass('kysely_migration') IS NOT NULL AS present`);
    return rows[0]?.present === true;
  } catch (error) {
    throw new StoreError(redactDatabaseUrl(url), `cannot open: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
}
