import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase, rowsOf } from "../../src/db/client.ts";
import { repositories } from "../../src/db/schema.ts";
import { availableDrivers, createTestDatabase } from "../support/db.ts";

const EXPECTED_TABLES = [
  "actor_snapshots",
  "actor_transitions",
  "github_issues",
  "github_labels",
  "github_milestones",
  "github_project_fields",
  "github_project_items",
  "github_project_repositories",
  "github_projects",
  "outbox",
  "repositories",
  "sync_conflicts",
  "sync_operations",
  "webhook_events",
];

for (const driver of availableDrivers()) {
  describe(`migrations [${driver}]`, () => {
    test("create every table with bigint GitHub ids and text titles", async () => {
      const database = await createTestDatabase(driver);
      try {
        const tables = await database.db.execute(
          sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
        );
        const names = rowsOf<{ table_name: string }>(tables).map((r) => r.table_name);
        expect(names).toEqual(expect.arrayContaining(EXPECTED_TABLES));

        const columns = await database.db.execute(
          sql`select table_name, column_name, data_type from information_schema.columns
              where table_schema = 'public' and (column_name = 'github_id' or column_name = 'title')`,
        );
        const rows = rowsOf<{ table_name: string; column_name: string; data_type: string }>(columns);
        for (const row of rows) {
          expect(`${row.table_name}.${row.column_name}:${row.data_type}`).toBe(
            `${row.table_name}.${row.column_name}:${row.column_name === "github_id" ? "bigint" : "text"}`,
          );
        }
        // An id past 2^31 round-trips exactly.
        const [repo] = await database.db
          .insert(repositories)
          .values({ fullName: "a/b", owner: "a", name: "b", githubId: 2 ** 33 + 7 })
          .returning();
        expect(repo?.githubId).toBe(2 ** 33 + 7);
      } finally {
        await database.drop();
      }
    });
  });
}

describe("embedded PGlite under DATA_DIR", () => {
  const dir = mkdtempSync(join(tmpdir(), "gt-pglite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("data persists across restarts and migrations are not re-applied", async () => {
    const first = await openDatabase({ databaseUrl: null, dataDir: dir });
    await first.db.insert(repositories).values({ fullName: "octo/persist", owner: "octo", name: "persist" });
    await first.close();

    const second = await openDatabase({ databaseUrl: null, dataDir: dir });
    const rows = await second.db.select().from(repositories);
    await second.close();
    expect(rows.map((r) => r.fullName)).toEqual(["octo/persist"]);
  }, 60_000); // two PGlite starts, the first with initdb: seconds each on a slow runner
});
