import { and, count, eq, gte, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { githubIssues, type Issue } from "../schema.ts";
import { containsText, jsonbContainsAll, offsetOf, ordered, type Page } from "./filters.ts";

export interface IssueFilter {
  repository?: string;
  state?: "open" | "closed" | "all";
  /** All of these labels. */
  labels?: string[];
  /** A login, `none` (unassigned) or `*` (assigned to anyone). */
  assignee?: string;
  /** A milestone number, `none` or `*`. */
  milestone?: string;
  updatedSince?: Date;
  q?: string;
  includeDeleted?: boolean;
  sort?: "created" | "updated" | "number" | "title";
  direction?: "asc" | "desc";
}

const SORT_COLUMNS = {
  created: githubIssues.createdAt,
  updated: githubIssues.updatedAt,
  number: githubIssues.number,
  title: githubIssues.title,
} as const;

function conditions(filter: IssueFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.repository) where.push(eq(githubIssues.repositoryFullName, filter.repository.toLowerCase()));
  if (filter.state && filter.state !== "all") where.push(eq(githubIssues.state, filter.state));
  if (filter.labels && filter.labels.length > 0)
    where.push(jsonbContainsAll(githubIssues.labels, filter.labels));
  if (filter.assignee === "none") where.push(sql`jsonb_array_length(${githubIssues.assignees}) = 0`);
  else if (filter.assignee === "*") where.push(sql`jsonb_array_length(${githubIssues.assignees}) > 0`);
  else if (filter.assignee) where.push(jsonbContainsAll(githubIssues.assignees, [filter.assignee]));
  if (filter.milestone === "none") where.push(isNull(githubIssues.milestoneNumber));
  else if (filter.milestone === "*") where.push(isNotNull(githubIssues.milestoneNumber));
  else if (filter.milestone) where.push(eq(githubIssues.milestoneNumber, Number(filter.milestone)));
  if (filter.updatedSince) where.push(gte(githubIssues.updatedAt, filter.updatedSince));
  if (filter.q) where.push(containsText(githubIssues.title, filter.q));
  if (!filter.includeDeleted) where.push(isNull(githubIssues.deletedAt));
  return where;
}

export async function listIssues(
  db: Executor,
  filter: IssueFilter,
  page: Page,
): Promise<{ rows: Issue[]; total: number }> {
  const where = and(...conditions(filter));
  const direction = filter.direction ?? "desc";
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(githubIssues)
      .where(where)
      .orderBy(
        ordered(SORT_COLUMNS[filter.sort ?? "created"], direction),
        ordered(githubIssues.id, direction),
      )
      .limit(page.perPage)
      .offset(offsetOf(page)),
    db.select({ total: count() }).from(githubIssues).where(where),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

export async function getIssue(db: Executor, id: string): Promise<Issue | undefined> {
  const [row] = await db.select().from(githubIssues).where(eq(githubIssues.id, id)).limit(1);
  return row;
}
