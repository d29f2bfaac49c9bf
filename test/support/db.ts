/**
 * An isolated, migrated database per test file, on either driver.
 * - postgres: `CREATE DATABASE … TEMPLATE` from a template migrated once per migration set (cheap clone);
 * - pglite: in-memory, loaded from a dump of a migrated data directory (skips the ~4 s initdb).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { type DatabaseHandle, MIGRATIONS_FOLDER, openDatabase } from "../../src/db/client.ts";
import { postgresUrl } from "./services.ts";

export type Driver = "pglite" | "postgres";

function migrationsHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(entry.name).update(readFileSync(path));
    }
  };
  walk(MIGRATIONS_FOLDER);
  return hash.digest("hex").slice(0, 12);
}

let pgliteTemplate: Promise<Blob> | null = null;

async function buildPgliteTemplate(): Promise<Blob> {
  const cacheDir = join(tmpdir(), "github-tracker-test");
  const file = join(cacheDir, `pglite-${migrationsHash()}.tar.gz`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const handle = await openDatabase({ databaseUrl: null, dataDir: "", pgliteInMemory: true });
  const client = (handle.db as unknown as { $client: PGlite }).$client;
  const dump = await client.dumpDataDir("gzip");
  await handle.close();
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(file, new Uint8Array(await dump.arrayBuffer()));
  return dump;
}

const templates = new Map<string, Promise<string>>();

/** The template database for this migration set, created once (any process may race; the lock decides). */
async function postgresTemplate(adminUrl: string): Promise<string> {
  const name = `gt_template_${migrationsHash()}`;
  let pending = templates.get(adminUrl);
  if (!pending) {
    pending = (async () => {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await admin`select pg_advisory_lock(727002)`;
        const [exists] = await admin`select 1 from pg_database where datname = ${name}`;
        if (!exists) {
          await admin.unsafe(`create database "${name}"`);
          const handle = await openDatabase({
            databaseUrl: withDatabase(adminUrl, name),
            dataDir: "",
            maxConnections: 1,
          });
          await handle.close();
        }
        await admin`select pg_advisory_unlock(727002)`;
      } finally {
        await admin.end();
      }
      return name;
    })();
    templates.set(adminUrl, pending);
  }
  return pending;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface TestDatabase extends DatabaseHandle {
  /** Connection URL of the isolated database (postgres driver only). */
  url: string | null;
  drop(): Promise<void>;
}

export async function createTestDatabase(driver: Driver): Promise<TestDatabase> {
  if (driver === "pglite") {
    pgliteTemplate ??= buildPgliteTemplate();
    const handle = await openDatabase({
      databaseUrl: null,
      dataDir: "",
      pgliteInMemory: true,
      pgliteLoadDataDir: await pgliteTemplate,
    });
    return { ...handle, url: null, drop: () => handle.close() };
  }
  const adminUrl = postgresUrl();
  if (!adminUrl) throw new Error("DATABASE_URL is not set");
  const template = await postgresTemplate(adminUrl);
  const name = `gt_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const handle = await openDatabase({ databaseUrl: url, dataDir: "", maxConnections: 5 });
  return {
    ...handle,
    url,
    async drop() {
      await handle.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}

/** The drivers this run can test: always PGlite; Postgres when DATABASE_URL is set (required under CI=true). */
export function availableDrivers(): Driver[] {
  return postgresUrl() ? ["pglite", "postgres"] : ["pglite"];
}
