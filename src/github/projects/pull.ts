/**
 * Pull of the Projects v2 linked to a repository, one idempotent step (one GraphQL page) at a time:
 *   projects        repository.projectsV2, cursor {after, seen}; at the end, links of unlisted projects go
 *   project_fields  per project (in node id order), cursor {project, after, seen}; at the end, unlisted fields
 *                   are tombstoned and the item listing's mark is drawn
 *   project_items   cursor {project, after, mark}; at the end, items not written since the mark are tombstoned,
 *                   then the next project's fields, or done (next = null)
 * Everything a later step needs is in the cursor or the database, so a restore can re-run any step.
 */
import { and, eq, sql } from "drizzle-orm";
import type { EffectContext } from "../../actors/effects.ts";
import { withFence } from "../../actors/fence.ts";
import type { Database, Tx } from "../../db/client.ts";
import { githubProjectRepositories, githubProjects, repositories } from "../../db/schema.ts";
import {
  itemListingMark,
  markMissingFieldsDeleted,
  markMissingItemsDeleted,
  unlinkMissingProjects,
  upsertProjectFields,
  upsertProjectItems,
  upsertProjects,
} from "../../db/writes/projects.ts";
import type { StepInput, SyncStep } from "../../machines/sync-operation.machine.ts";
import type { GitHubClient } from "../client.ts";
import { mapProject, mapProjectField, mapProjectItem } from "../mappers/project.ts";
import { graphqlQuery } from "./graphql.ts";
import {
  FIELDS_PAGE_SIZE,
  ITEMS_PAGE_SIZE,
  PROJECT_FIELDS_QUERY,
  PROJECT_ITEMS_QUERY,
  PROJECTS_PAGE_SIZE,
  type ProjectFieldsResult,
  type ProjectItemsResult,
  type RateLimitInfo,
  REPOSITORY_PROJECTS_QUERY,
  type RepositoryProjectsResult,
} from "./queries.ts";

export interface ProjectsPullDeps {
  db: Database;
  client: GitHubClient;
  now?: () => number;
}

export const PROJECT_PHASES = ["projects", "project_fields", "project_items"] as const;
export type ProjectPhase = (typeof PROJECT_PHASES)[number];

export function isProjectPhase(phase: string): phase is ProjectPhase {
  return (PROJECT_PHASES as readonly string[]).includes(phase);
}

/** The step that starts the projects pull. */
export const FIRST_PROJECTS_STEP: SyncStep = { phase: "projects", cursor: null };

export interface ProjectsStepResult {
  /** null: every project of the repository is pulled. */
  next: SyncStep | null;
  processed: number;
  failed: number;
  /** Pages of the current listing, from totalCount. */
  pagesTotal: number | null;
  /** The GraphQL budget after this call (cost, remaining, resetAt), for the caller's rate accounting. */
  rateLimit: RateLimitInfo | null;
}

interface ProjectsCursor {
  after: string | null;
  seen: string[];
}
interface FieldsCursor {
  project: string;
  after: string | null;
  seen: string[];
}
interface ItemsCursor {
  project: string;
  after: string | null;
  mark: number;
}

function parseCursor<T>(cursor: string | null, phase: string): T | null {
  if (cursor === null) return null;
  try {
    return JSON.parse(cursor) as T;
  } catch {
    throw new Error(`malformed ${phase} cursor: ${cursor.slice(0, 80)}`);
  }
}

const step = (phase: ProjectPhase, cursor: object): SyncStep => ({ phase, cursor: JSON.stringify(cursor) });
const pages = (total: number, size: number) => Math.max(1, Math.ceil(total / size));

/** Run one step of a project phase (`isProjectPhase(input.step.phase)`). */
export async function projectsStep(
  deps: ProjectsPullDeps,
  input: StepInput,
  ctx: EffectContext,
): Promise<ProjectsStepResult> {
  switch (input.step.phase) {
    case "projects":
      return listProjects(deps, input, ctx);
    case "project_fields":
      return listFields(deps, input, ctx);
    case "project_items":
      return listItems(deps, input, ctx);
    default:
      throw new Error(`not a projects phase: "${input.step.phase}"`);
  }
}

async function listProjects(deps: ProjectsPullDeps, input: StepInput, ctx: EffectContext) {
  const now = deps.now ?? Date.now;
  const cursor = parseCursor<ProjectsCursor>(input.step.cursor, "projects") ?? { after: null, seen: [] };
  const [owner = "", name = ""] = input.fullName.split("/");
  const data = await graphqlQuery<RepositoryProjectsResult>(
    deps.client,
    REPOSITORY_PROJECTS_QUERY,
    { owner, name, first: PROJECTS_PAGE_SIZE, after: cursor.after },
    ctx.signal,
    now(),
  );
  const connection = data.repository?.projectsV2;
  if (!connection) {
    throw Object.assign(new Error(`repository ${input.fullName} not found by GraphQL`), { status: 404 });
  }
  const rows = (connection.nodes ?? []).flatMap((n) => (n ? [mapProject(n)] : []));
  const seen = [...cursor.seen, ...rows.flatMap((r) => (r.nodeId ? [r.nodeId] : []))];
  const more = connection.pageInfo.hasNextPage && connection.pageInfo.endCursor !== null;
  const next = await withFence(deps.db, ctx.fence, async (tx) => {
    await upsertProjects(tx, rows, input.repositoryId);
    if (more) return step("projects", { after: connection.pageInfo.endCursor, seen });
    await unlinkMissingProjects(tx, input.repositoryId, seen);
    return nextProject(tx, input.repositoryId, null, now());
  });
  return {
    next,
    processed: rows.length,
    failed: 0,
    pagesTotal: pages(connection.totalCount, PROJECTS_PAGE_SIZE),
    rateLimit: data.rateLimit,
  };
}

async function listFields(deps: ProjectsPullDeps, input: StepInput, ctx: EffectContext) {
  const now = deps.now ?? Date.now;
  const cursor = parseCursor<FieldsCursor>(input.step.cursor, "project_fields");
  if (!cursor) throw new Error("project_fields step without a cursor");
  const data = await graphqlQuery<ProjectFieldsResult>(
    deps.client,
    PROJECT_FIELDS_QUERY,
    { id: cursor.project, first: FIELDS_PAGE_SIZE, after: cursor.after },
    ctx.signal,
    now(),
  );
  const connection = data.node?.fields;
  if (!connection) return projectGone(deps, input, ctx, cursor.project, data.rateLimit);
  const rows = (connection.nodes ?? []).flatMap((n) => (n ? [mapProjectField(n)] : []));
  const seen = [...cursor.seen, ...rows.map((r) => r.nodeId)];
  const more = connection.pageInfo.hasNextPage && connection.pageInfo.endCursor !== null;
  const next = await withFence(deps.db, ctx.fence, async (tx) => {
    const projectId = await projectIdOf(tx, cursor.project);
    await upsertProjectFields(tx, projectId, rows);
    if (more)
      return step("project_fields", { project: cursor.project, after: connection.pageInfo.endCursor, seen });
    await markMissingFieldsDeleted(tx, projectId, seen, new Date(now()));
    // Drawn before the first item page is fetched, so every item written by that listing is above it.
    return step("project_items", { project: cursor.project, after: null, mark: await itemListingMark(tx) });
  });
  return {
    next,
    processed: rows.length,
    failed: 0,
    pagesTotal: pages(connection.totalCount, FIELDS_PAGE_SIZE),
    rateLimit: data.rateLimit,
  };
}

async function listItems(deps: ProjectsPullDeps, input: StepInput, ctx: EffectContext) {
  const now = deps.now ?? Date.now;
  const cursor = parseCursor<ItemsCursor>(input.step.cursor, "project_items");
  if (!cursor) throw new Error("project_items step without a cursor");
  const data = await graphqlQuery<ProjectItemsResult>(
    deps.client,
    PROJECT_ITEMS_QUERY,
    { id: cursor.project, first: ITEMS_PAGE_SIZE, after: cursor.after },
    ctx.signal,
    now(),
  );
  const connection = data.node?.items;
  if (!connection) return projectGone(deps, input, ctx, cursor.project, data.rateLimit);
  const mapped = (connection.nodes ?? []).flatMap((n) => (n ? [mapProjectItem(n)] : []));
  const more = connection.pageInfo.hasNextPage && connection.pageInfo.endCursor !== null;
  const next = await withFence(deps.db, ctx.fence, async (tx) => {
    const projectId = await projectIdOf(tx, cursor.project);
    await upsertProjectItems(
      tx,
      projectId,
      mapped.map((m) => m.row),
    );
    if (more) return step("project_items", { ...cursor, after: connection.pageInfo.endCursor });
    await markMissingItemsDeleted(tx, projectId, cursor.mark, new Date(now()));
    return nextProject(tx, input.repositoryId, cursor.project, now());
  });
  return {
    next,
    processed: mapped.length,
    // An item with more field values than one page is written incomplete: counted, never silent.
    failed: mapped.filter((m) => m.truncated).length,
    pagesTotal: pages(connection.totalCount, ITEMS_PAGE_SIZE),
    rateLimit: data.rateLimit,
  };
}

/** The project's node no longer resolves (deleted, or access lost): unlink it here and go on with the next. */
async function projectGone(
  deps: ProjectsPullDeps,
  input: StepInput,
  ctx: EffectContext,
  projectNodeId: string,
  rateLimit: RateLimitInfo | null,
): Promise<ProjectsStepResult> {
  const now = deps.now ?? Date.now;
  const next = await withFence(deps.db, ctx.fence, async (tx) => {
    const [project] = await tx
      .select({ id: githubProjects.id })
      .from(githubProjects)
      .where(eq(githubProjects.nodeId, projectNodeId));
    if (project) {
      await tx
        .delete(githubProjectRepositories)
        .where(
          and(
            eq(githubProjectRepositories.projectId, project.id),
            eq(githubProjectRepositories.repositoryId, input.repositoryId),
          ),
        );
    }
    return nextProject(tx, input.repositoryId, projectNodeId, now());
  });
  return { next, processed: 0, failed: 0, pagesTotal: 1, rateLimit };
}

async function projectIdOf(tx: Tx, nodeId: string): Promise<string> {
  const [row] = await tx
    .select({ id: githubProjects.id })
    .from(githubProjects)
    .where(eq(githubProjects.nodeId, nodeId));
  if (!row) throw new Error(`project ${nodeId} is not in the mirror (its projects step has not run)`);
  return row.id;
}

/**
 * The linked project after `afterNodeId` in node id order (a stable order that needs no state), starting with
 * its fields; none left: the pull is done and the repository's projects_synced_at moves.
 */
async function nextProject(tx: Tx, repositoryId: string, afterNodeId: string | null, now: number) {
  const [row] = await tx
    .select({ nodeId: githubProjects.nodeId })
    .from(githubProjectRepositories)
    .innerJoin(githubProjects, eq(githubProjects.id, githubProjectRepositories.projectId))
    .where(
      and(
        eq(githubProjectRepositories.repositoryId, repositoryId),
        afterNodeId === null ? undefined : sql`${githubProjects.nodeId} collate "C" > ${afterNodeId}`,
      ),
    )
    // Byte order: the same on every database and collation.
    .orderBy(sql`${githubProjects.nodeId} collate "C"`)
    .limit(1);
  if (row?.nodeId) return step("project_fields", { project: row.nodeId, after: null, seen: [] });
  await tx
    .update(repositories)
    .set({ projectsSyncedAt: new Date(now), updatedAt: sql`now()` })
    .where(eq(repositories.id, repositoryId));
  return null;
}
