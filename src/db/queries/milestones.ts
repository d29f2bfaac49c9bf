import { and, count, eq, isNull, type SQL } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { githubMilestones, type Milestone } from "../schema.ts";
import { containsText, offsetOf, ordered, type Page } from "./filters.ts";

export interface MilestoneFilter {
  repository?: string;
  state?: "open" | "closed" | "all";
  q?: string;
  includeDeleted?: boolean;
  sort?: "due_on" | "created" | "updated" | "number" | "title";
  direction?: "asc" | "desc";
}

const SORT_COLUMNS = {
  due_on: githubMilestones.dueOn,
  created: githubMilestones.createdAt,
  updated: githubMilestones.updatedAt,
  number: githubMilestones.number,
  title: githubMilestones.title,
} as const;

export async function listMilestones(
  db: Executor,
  filter: MilestoneFilter,
  page: Page,
): Promise<{ rows: Milestone[]; total: number }> {
  const where: SQL[] = [];
  if (filter.repository) where.push(eq(githubMilestones.repositoryFullName, filter.repository.toLowerCase()));
  if (filter.state && filter.state !== "all") where.push(eq(githubMilestones.state, filter.state));
  if (filter.q) where.push(containsText(githubMilestones.title, filter.q));
  if (!filter.includeDeleted) where.push(isNull(githubMilestones.deletedAt));
  const condition = and(...where);
  const direction = filter.direction ?? "asc";
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(githubMilestones)
      .where(condition)
      .orderBy(
        ordered(SORT_COLUMNS[filter.sort ?? "due_on"], direction),
        ordered(githubMilestones.id, direction),
      )
      .limit(page.perPage)
      .offset(offsetOf(page)),
    db.select({ total: count() }).from(githubMilestones).where(condition),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

export async function getMilestone(db: Executor, id: string): Promise<Milestone | undefined> {
  const [row] = await db.select().from(githubMilestones).where(eq(githubMilestones.id, id)).limit(1);
  return row;
}
