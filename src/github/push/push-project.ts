/**
 * Pushing a Projects v2 project (GraphQL: createProjectV2, updateProjectV2).
 * - create: exactly once. A project has no natural key on GitHub (titles repeat), so when an earlier attempt
 *   exists (its response may have been lost after GitHub committed), we look for a project of that owner with
 *   that title, created by us since the entry was written, and adopt it instead of creating a second one.
 *   The project is created linked to the pushing repository: the pull only sees projects linked to a tracked
 *   repository, so an unlinked one would fall out of the mirror and could never be pushed again.
 * - update: read the project as GitHub has it now, merge field by field (merge.ts: title, description and
 *   readme manual, public and closed local_wins), send only what the merge says, record true conflicts.
 */
import { and, eq, ne, sql } from "drizzle-orm";
import { withFence } from "../../actors/fence.ts";
import { rowsOf, type Tx } from "../../db/client.ts";
import {
  githubProjectFields,
  githubProjectItems,
  githubProjectRepositories,
  githubProjects,
  type NewProject,
  type OutboxEntry,
  type Project,
  type Repository,
} from "../../db/schema.ts";
import { mapProject } from "../mappers/project.ts";
import type { GqlProject } from "../projects/queries.ts";
import { mergeEntity } from "./merge.ts";
import { finishEntry, markAttempt, refreshSyncState } from "./outbox-store.ts";
import {
  CREATE_PROJECT,
  type CreateProjectResult,
  gql,
  OWNER_PROJECTS_QUERY,
  OWNER_QUERY,
  type OwnerProjectsResult,
  type OwnerResult,
  PROJECT_NODE_QUERY,
  type ProjectNodeResult,
  REPOSITORY_ID_QUERY,
  type RepositoryIdResult,
  required,
  UPDATE_PROJECT,
  type UpdateProjectResult,
} from "./project-graphql.ts";
import type { PushContext } from "./push-context.ts";
import { failEntry, recordConflicts } from "./push-entity.ts";

/** Leeway for clock skew between GitHub and us when matching a creation to its outbox entry. */
const CLOCK_SKEW_MS = 60_000;

function remoteView(p: GqlProject): Record<string, unknown> {
  return {
    title: p.title,
    short_description: p.shortDescription ?? null,
    readme: p.readme ?? null,
    public: p.public,
    closed: p.closed,
  };
}

/** The merge's fields in UpdateProjectV2Input's names. GitHub reads null as "leave it"; "" clears a text. */
function updateInput(push: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if ("title" in push) input.title = String(push.title ?? "");
  if ("short_description" in push) input.shortDescription = push.short_description ?? "";
  if ("readme" in push) input.readme = push.readme ?? "";
  if ("public" in push) input.public = push.public === true;
  if ("closed" in push) input.closed = push.closed === true;
  return input;
}

/** GitHub's field names → the project row's columns (held conflict values, conflict resolutions). */
export function projectColumns(fields: Record<string, unknown>): Partial<NewProject> {
  const set: Partial<NewProject> = {};
  if ("title" in fields) set.title = String(fields.title ?? "");
  if ("short_description" in fields)
    set.shortDescription = (fields.short_description as string | null) ?? null;
  if ("readme" in fields) set.readme = (fields.readme as string | null) ?? null;
  if ("public" in fields) set.public = fields.public === true;
  if ("closed" in fields) set.closed = fields.closed === true;
  return set;
}

/**
 * Store GitHub's project on the local row (by local id). A copy under the same node id (a webhook or a pull
 * got there before our answer) hands its fields, items and links over to our row and goes.
 */
export async function adoptProject(tx: Tx, localId: string, remote: GqlProject, linkTo: string | null) {
  const copies = await tx
    .select({ id: githubProjects.id })
    .from(githubProjects)
    .where(and(eq(githubProjects.nodeId, remote.id), ne(githubProjects.id, localId)));
  for (const copy of copies) {
    await tx
      .update(githubProjectFields)
      .set({ projectId: localId })
      .where(eq(githubProjectFields.projectId, copy.id));
    await tx
      .update(githubProjectItems)
      .set({ projectId: localId })
      .where(eq(githubProjectItems.projectId, copy.id));
    await tx.execute(sql`insert into github_project_repositories (project_id, repository_id)
      select ${localId}, repository_id from github_project_repositories where project_id = ${copy.id}
      on conflict do nothing`);
    await tx.delete(githubProjects).where(eq(githubProjects.id, copy.id));
  }
  await tx
    .update(githubProjects)
    .set({ ...mapProject(remote), syncedAt: new Date(), syncVersion: sql`${githubProjects.syncVersion} + 1` })
    .where(eq(githubProjects.id, localId));
  if (linkTo) {
    await tx
      .insert(githubProjectRepositories)
      .values({ projectId: localId, repositoryId: linkTo })
      .onConflictDoNothing();
  }
}

async function repositoryNodeId(ctx: PushContext, repo: Repository): Promise<string> {
  if (repo.nodeId) return repo.nodeId;
  const found = await gql<RepositoryIdResult>(ctx, REPOSITORY_ID_QUERY, {
    owner: repo.owner,
    name: repo.name,
  });
  return required(found.repository?.id, `repository ${repo.fullName}`);
}

/** After a lost response: the project an earlier attempt created, if any (ours, same owner and title, recent). */
async function findCreated(
  ctx: PushContext,
  owner: string,
  title: string,
  entry: OutboxEntry,
): Promise<GqlProject | null> {
  const me = (await ctx.login()).toLowerCase();
  const found = await gql<OwnerProjectsResult>(ctx, OWNER_PROJECTS_QUERY, { login: owner, title });
  const since = entry.createdAt.getTime() - CLOCK_SKEW_MS;
  const candidates = (found.repositoryOwner?.projectsV2?.nodes ?? []).filter(
    (p): p is GqlProject =>
      p !== null &&
      p.title === title &&
      p.creator?.login.toLowerCase() === me &&
      Date.parse(p.createdAt) >= since,
  );
  // Not already adopted by another local create (two local creates with one title are two projects); a copy a
  // webhook or pull stored is fine to take over.
  for (const candidate of candidates) {
    const taken = await ctx.db.execute(sql`select 1 from github_projects p join outbox o
      on o.entity_type = 'project' and o.operation = 'create' and o.entity_id = p.id
      where p.node_id = ${candidate.id} and p.id <> ${entry.entityId} limit 1`);
    if (rowsOf(taken).length === 0) return candidate;
  }
  return null;
}

async function create(ctx: PushContext, repo: Repository, entry: OutboxEntry, local: Project) {
  const patch = entry.patch as { title?: unknown; owner?: unknown };
  const title = typeof patch.title === "string" ? patch.title : local.title;
  const owner = typeof patch.owner === "string" ? patch.owner : local.ownerLogin;
  let created =
    local.nodeId === null && entry.attempts > 0 ? await findCreated(ctx, owner, title, entry) : null;
  if (local.nodeId === null && !created) {
    const ownerId = (await gql<OwnerResult>(ctx, OWNER_QUERY, { login: owner })).repositoryOwner?.id;
    if (!ownerId) return failEntry(ctx, entry, `GitHub knows no user or organization ${owner}`);
    const repositoryId = await repositoryNodeId(ctx, repo);
    await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
    const answer = await gql<CreateProjectResult>(ctx, CREATE_PROJECT, {
      input: { ownerId, title, repositoryId },
    });
    created = required(answer.createProjectV2?.projectV2, "project in the createProjectV2 answer");
  }
  await withFence(ctx.db, ctx.fence, async (tx) => {
    if (created) await adoptProject(tx, local.id, created, repo.id);
    await finishEntry(tx, entry.id, "done");
    await refreshSyncState(tx, "project", local.id);
  });
}

async function update(
  ctx: PushContext,
  repo: Repository,
  entry: OutboxEntry,
  local: Project,
  folded: number[],
) {
  if (local.nodeId === null) return failEntry(ctx, entry, "the project was never created on GitHub");
  const { node } = await gql<ProjectNodeResult>(ctx, PROJECT_NODE_QUERY, { id: local.nodeId });
  if (node?.__typename !== "ProjectV2")
    return failEntry(ctx, entry, "the project no longer exists on GitHub");
  const current = node as GqlProject;
  const merge = mergeEntity("project", entry.base, entry.patch, remoteView(current), ctx.policies);
  let result = current;
  if (Object.keys(merge.push).length > 0) {
    await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
    const input = { projectId: local.nodeId, ...updateInput(merge.push) };
    const answer = await gql<UpdateProjectResult>(ctx, UPDATE_PROJECT, { input });
    result = required(answer.updateProjectV2?.projectV2, "project in the updateProjectV2 answer");
  }
  await withFence(ctx.db, ctx.fence, async (tx) => {
    await recordConflicts(tx, repo.id, "project", local.id, entry.id, merge.conflicts);
    await adoptProject(tx, local.id, result, null);
    if (merge.conflicts.length > 0) {
      // The row shows GitHub's values, and for a held field the local one, until the conflict is resolved.
      const held = Object.fromEntries(merge.conflicts.map((c) => [c.field, c.local]));
      await tx.update(githubProjects).set(projectColumns(held)).where(eq(githubProjects.id, local.id));
    }
    await finishEntry(tx, entry.id, merge.conflicts.length > 0 ? "conflicted" : "done", undefined, folded);
    await refreshSyncState(tx, "project", local.id);
  });
}

export async function pushProject(
  ctx: PushContext,
  repo: Repository,
  entry: OutboxEntry,
  folded: number[] = [],
): Promise<void> {
  const [local] = await ctx.db
    .select()
    .from(githubProjects)
    .where(eq(githubProjects.id, entry.entityId))
    .limit(1);
  if (!local) return failEntry(ctx, entry, "the local project no longer exists");
  if (entry.operation === "create") return create(ctx, repo, entry, local);
  return update(ctx, repo, entry, local, folded);
}
