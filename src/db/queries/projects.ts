import { and, asc, count, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import {
  githubProjectFields,
  githubProjectItems,
  githubProjects,
  type Project,
  type ProjectField,
  type ProjectItem,
} from "../schema.ts";
import { containsText, offsetOf, ordered, type Page } from "./filters.ts";

export interface ProjectFilter {
  owner?: string;
  /** Projects linked to this tracked repository. */
  repository?: string;
  state?: "open" | "closed" | "all";
  q?: string;
  includeDeleted?: boolean;
  sort?: "created" | "updated" | "number" | "title";
  direction?: "asc" | "desc";
}

export interface ProjectWithCounts {
  project: Project;
  itemsCount: number;
  repositories: string[];
}

const SORT_COLUMNS = {
  created: githubProjects.createdAt,
  updated: githubProjects.updatedAt,
  number: githubProjects.number,
  title: githubProjects.title,
} as const;

/**
 * Drizzle renders columns unqualified in single-table selects, which a correlated subquery would resolve against
 * its own table; the outer project id is therefore spelled out.
 */
const outerProjectId = sql.raw(`"github_projects"."id"`);

const itemsCount = sql<number>`(
  select count(*) from github_project_items i where i.project_id = ${outerProjectId} and i.deleted_at is null
)`.mapWith(Number);

const linkedRepositories = sql<string[]>`coalesce((
  select json_agg(r.full_name order by r.full_name)
  from github_project_repositories pr join repositories r on r.id = pr.repository_id
  where pr.project_id = ${outerProjectId}
), '[]'::json)`;

function conditions(filter: ProjectFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.owner) where.push(sql`lower(${githubProjects.ownerLogin}) = ${filter.owner.toLowerCase()}`);
  if (filter.repository) {
    where.push(sql`exists (
      select 1 from github_project_repositories pr join repositories r on r.id = pr.repository_id
      where pr.project_id = ${outerProjectId} and r.full_name = ${filter.repository.toLowerCase()}
    )`);
  }
  if (filter.state === "open") where.push(eq(githubProjects.closed, false));
  if (filter.state === "closed") where.push(eq(githubProjects.closed, true));
  if (filter.q) where.push(containsText(githubProjects.title, filter.q));
  if (!filter.includeDeleted) where.push(isNull(githubProjects.deletedAt));
  return where;
}

export async function listProjects(
  db: Executor,
  filter: ProjectFilter,
  page: Page,
): Promise<{ rows: ProjectWithCounts[]; total: number }> {
  const where = and(...conditions(filter));
  const direction = filter.direction ?? "desc";
  const [rows, totals] = await Promise.all([
    db
      .select({ project: githubProjects, itemsCount, repositories: linkedRepositories })
      .from(githubProjects)
      .where(where)
      .orderBy(
        ordered(SORT_COLUMNS[filter.sort ?? "updated"], direction),
        ordered(githubProjects.id, direction),
      )
      .limit(page.perPage)
      .offset(offsetOf(page)),
    db.select({ total: count() }).from(githubProjects).where(where),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

export async function getProject(
  db: Executor,
  id: string,
): Promise<(ProjectWithCounts & { fields: ProjectField[] }) | undefined> {
  const [row] = await db
    .select({ project: githubProjects, itemsCount, repositories: linkedRepositories })
    .from(githubProjects)
    .where(eq(githubProjects.id, id))
    .limit(1);
  if (!row) return undefined;
  const fields = await db
    .select()
    .from(githubProjectFields)
    .where(and(eq(githubProjectFields.projectId, id), isNull(githubProjectFields.deletedAt)))
    .orderBy(asc(githubProjectFields.createdAt), asc(githubProjectFields.name));
  return { ...row, fields };
}

export interface ItemFilter {
  archived?: boolean;
  contentType?: string;
  includeDeleted?: boolean;
}

/** A project's items, oldest first (GitHub's default board order is by position, which is not mirrored). */
export async function listProjectItems(
  db: Executor,
  projectId: string,
  filter: ItemFilter,
  page: Page,
): Promise<{ rows: ProjectItem[]; total: number }> {
  const where: SQL[] = [eq(githubProjectItems.projectId, projectId)];
  if (filter.archived !== undefined) where.push(eq(githubProjectItems.archived, filter.archived));
  if (filter.contentType)
    where.push(eq(githubProjectItems.contentType, filter.contentType as ProjectItem["contentType"]));
  if (!filter.includeDeleted) where.push(isNull(githubProjectItems.deletedAt));
  const condition = and(...where);
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(githubProjectItems)
      .where(condition)
      .orderBy(asc(githubProjectItems.createdAt), asc(githubProjectItems.id))
      .limit(page.perPage)
      .offset(offsetOf(page)),
    db.select({ total: count() }).from(githubProjectItems).where(condition),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

export async function getProjectItem(
  db: Executor,
  projectId: string,
  itemId: string,
): Promise<ProjectItem | undefined> {
  const [row] = await db
    .select()
    .from(githubProjectItems)
    .where(and(eq(githubProjectItems.projectId, projectId), eq(githubProjectItems.id, itemId)))
    .limit(1);
  return row;
}
