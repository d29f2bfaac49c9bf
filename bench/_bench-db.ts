/**
 * A database of its own for a benchmark: on the Postgres server in DATABASE_URL (created, then dropped by
 * `drop()`), or an in-memory PGlite when it is unset.
 */
import { sql } from "drizzle-orm";
import { type DatabaseHandle, openDatabase } from "../src/db/client.ts";

export interface BenchDatabase extends DatabaseHandle {
  drop(): Promise<void>;
}

async function onAdmin(adminUrl: string, statement: string): Promise<void> {
  const admin = await openDatabase({ databaseUrl: adminUrl, dataDir: "", maxConnections: 1 });
  try {
    await admin.db.execute(sql.raw(statement));
  } finally {
    await admin.close();
  }
}

export async function benchDatabase(name: string): Promise<BenchDatabase> {
  const adminUrl = process.env.DATABASE_URL ?? null;
  if (!adminUrl) {
    const handle = await openDatabase({ databaseUrl: null, dataDir: "", pgliteInMemory: true });
    return { ...handle, drop: () => handle.close() };
  }
  const dbName = `${name}_${process.pid}`;
  await onAdmin(adminUrl, `drop database if exists "${dbName}" with (force)`);
  await onAdmin(adminUrl, `create database "${dbName}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: "", maxConnections: 10 });
  return {
    ...handle,
    async drop() {
      await handle.close();
      await onAdmin(adminUrl, `drop database if exists "${dbName}" with (force)`);
    },
  };
}
