import { and, asc, count, eq, isNull, or, type SQL } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { githubLabels, type Label } from "../schema.ts";
import { containsText, offsetOf, type Page } from "./filters.ts";

export interface LabelFilter {
  repository?: string;
  /** Case-insensitive substring of the name or the description. */
  q?: string;
  includeDeleted?: boolean;
}

export async function listLabels(
  db: Executor,
  filter: LabelFilter,
  page: Page,
): Promise<{ rows: Label[]; total: number }> {
  const where: SQL[] = [];
  if (filter.repository) where.push(eq(githubLabels.repositoryFullName, filter.repository.toLowerCase()));
  if (filter.q) {
    const matches = or(
      containsText(githubLabels.name, filter.q),
      containsText(githubLabels.description, filter.q),
    );
    if (matches) where.push(matches);
  }
  if (!filter.includeDeleted) where.push(isNull(githubLabels.deletedAt));
  const condition = and(...where);
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(githubLabels)
      .where(condition)
      // GitHub has no creation or update time for labels: by repository, then name, as GitHub lists them.
      .orderBy(asc(githubLabels.repositoryFullName), asc(githubLabels.name), asc(githubLabels.id))
      .limit(page.perPage)
      .offset(offsetOf(page)),
    db.select({ total: count() }).from(githubLabels).where(condition),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

export async function getLabel(db: Executor, id: string): Promise<Label | undefined> {
  const [row] = await db.select().from(githubLabels).where(eq(githubLabels.id, id)).limit(1);
  return row;
}
