import { asc, count, eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { type Repository, repositories } from "../schema.ts";
import { offsetOf, type Page } from "./filters.ts";

/** Make sure every configured repository has a row; existing rows (and their leases and marks) are untouched. */
export async function ensureRepositories(db: Executor, fullNames: string[]): Promise<Repository[]> {
  if (fullNames.length === 0) return [];
  const values = fullNames.map((fullName) => {
    const [owner = "", name = ""] = fullName.toLowerCase().split("/");
    return { fullName: `${owner}/${name}`, owner, name };
  });
  await db.insert(repositories).values(values).onConflictDoNothing({ target: repositories.fullName });
  return db
    .select()
    .from(repositories)
    .where(sql`${repositories.fullName} in ${values.map((v) => v.fullName)}`);
}

export async function listRepositories(
  db: Executor,
  page: Page,
): Promise<{ rows: Repository[]; total: number }> {
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(repositories)
      .orderBy(asc(repositories.fullName))
      .limit(page.perPage)
      .offset(offsetOf(page)),
    db.select({ total: count() }).from(repositories),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

export async function getRepositoryByName(db: Executor, fullName: string): Promise<Repository | undefined> {
  const [row] = await db
    .select()
    .from(repositories)
    .where(eq(repositories.fullName, fullName.toLowerCase()))
    .limit(1);
  return row;
}
