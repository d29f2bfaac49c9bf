/**
 * Database factory: postgres.js when DATABASE_URL is set, otherwise embedded PGlite under DATA_DIR.
 * One schema, one migration folder, one `Database` type for the rest of the code.
 */
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema.ts";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle, for functions that must run inside the caller's transaction. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type Executor = Database | Tx;

export interface DatabaseHandle {
  db: Database;
  driver: "postgres" | "pglite";
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = new URL("../../drizzle", import.meta.url).pathname;

/** Any constant works; it only has to be the same for every replica so concurrent starts migrate one at a time. */
const MIGRATION_LOCK_KEY = 727_001;

export interface OpenOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** Pool size for postgres.js. */
  maxConnections?: number;
  /**
   * Postgres aborts a transaction whose client has gone quiet for this long (idle_in_transaction_session_timeout).
   * A replica paused or partitioned in the middle of a fenced write holds the lease row FOR SHARE; until its
   * transaction ends, the replica taking over cannot bump the epoch. The service sets it to the lease TTL: no
   * transaction of ours waits on anything but the database, so none outlives its lease legitimately.
   */
  idleInTransactionTimeoutMs?: number;
  /** Start PGlite from a dump of an already migrated data directory (tests use this to skip initdb). */
  pgliteLoadDataDir?: Blob;
  /** In-memory PGlite (tests). */
  pgliteInMemory?: boolean;
}

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    return openPostgres(
      options.databaseUrl,
      options.maxConnections ?? 10,
      options.idleInTransactionTimeoutMs,
    );
  }
  return openPglite(options);
}

async function openPostgres(url: string, max: number, idleInTransactionMs?: number): Promise<DatabaseHandle> {
  // A dedicated single connection for migrations: the advisory lock is session-scoped, so it must be held and
  // released on the same connection (and never through a transaction pooler).
  const migrationClient = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrationClient`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres(migrationClient), { migrationsFolder: MIGRATIONS_FOLDER });
    await migrationClient`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await migrationClient.end();
  }
  const client = postgres(url, {
    max,
    onnotice: () => {},
    ...(idleInTransactionMs
      ? { connection: { idle_in_transaction_session_timeout: Math.round(idleInTransactionMs) } }
      : {}),
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Database;
  return {
    db,
    driver: "postgres",
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(options: OpenOptions): Promise<DatabaseHandle> {
  let client: PGlite;
  if (options.pgliteInMemory) {
    client = await PGlite.create(options.pgliteLoadDataDir ? { loadDataDir: options.pgliteLoadDataDir } : {});
  } else {
    mkdirSync(options.dataDir, { recursive: true });
    client = await PGlite.create(`${options.dataDir.replace(/\/+$/, "")}/pglite`);
  }
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder: MIGRATIONS_FOLDER });
  return {
    db: db as unknown as Database,
    driver: "pglite",
    ping: async () => {
      await client.query("select 1");
    },
    close: () => client.close(),
  };
}

/** `db.execute` returns an array on postgres.js and `{ rows }` on PGlite; raw SQL callers use this. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
