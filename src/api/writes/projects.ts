/**
 * Local Projects (v2) writes: one transaction each, the row pending plus one outbox row (see issues.ts).
 * A project belongs to an owner, not a repository; its outbox rows go to a linked tracked repository, whose
 * actor pushes them.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/client.ts";
import { getProject, type ProjectWithCounts } from "../../db/queries/projects.ts";
import {
  githubProjectRepositories,
  githubProjects,
  type NewProject,
  type ProjectField,
  repositories,
} from "../../db/schema.ts";
import type { ProjectCreateInput, ProjectUpdateInput } from "../models/writes.ts";
import { invalidField, notFound } from "../problem.ts";
import {
  checkIfMatch,
  enqueue,
  refuseDeleted,
  requireSome,
  trackedRepository,
  type WriteContext,
} from "./common.ts";

export interface ProjectWrite {
  project: ProjectWithCounts & { fields: ProjectField[] };
  repositoryId: string;
}

const UPDATE_KEYS = ["title", "short_description", "readme", "public", "closed"] as const;
type Key = (typeof UPDATE_KEYS)[number];

const sameLogin = (column: typeof githubProjects.ownerLogin | typeof repositories.owner, login: string) =>
  sql`lower(${column}) = ${login.toLowerCase()}`;

/** The first enabled tracked repository linked to the project (by name, so the choice is stable). */
export async function linkedRepositoryId(db: Executor, projectId: string): Promise<string> {
  const [linked] = await db
    .select({ id: repositories.id })
    .from(githubProjectRepositories)
    .innerJoin(repositories, eq(repositories.id, githubProjectRepositories.repositoryId))
    .where(and(eq(githubProjectRepositories.projectId, projectId), eq(repositories.enabled, true)))
    .orderBy(asc(repositories.fullName))
    .limit(1);
  if (!linked) {
    throw invalidField(
      "repository",
      "the project is linked to no tracked repository, so nothing can push it",
    );
  }
  return linked.id;
}

async function reread(db: Executor, id: string) {
  const project = await getProject(db, id);
  if (!project) throw new Error(`project ${id} vanished inside its own transaction`);
  return project;
}

/** The owner as GitHub spells it, its type, and the repository whose actor will push the creation. */
async function resolveOwner(db: Executor, input: ProjectCreateInput) {
  const [known] = await db
    .select({ login: githubProjects.ownerLogin, type: githubProjects.ownerType })
    .from(githubProjects)
    .where(sameLogin(githubProjects.ownerLogin, input.owner))
    .limit(1);
  if (input.repository !== undefined) {
    const repo = await trackedRepository(db, input.repository);
    if (repo.owner.toLowerCase() !== input.owner.toLowerCase()) {
      throw invalidField("repository", `${repo.fullName} does not belong to ${input.owner}`);
    }
    return { login: known?.login ?? repo.owner, type: known?.type, repositoryId: repo.id, link: true };
  }
  const [repo] = await db
    .select()
    .from(repositories)
    .where(and(sameLogin(repositories.owner, input.owner), eq(repositories.enabled, true)))
    .orderBy(asc(repositories.fullName))
    .limit(1);
  if (!repo) {
    throw invalidField(
      "owner",
      `no tracked repository is owned by ${input.owner}; track one (or name it in repository) to push the project`,
    );
  }
  return { login: known?.login ?? repo.owner, type: known?.type, repositoryId: repo.id, link: false };
}

export async function createProject(db: Database, input: ProjectCreateInput, ctx: WriteContext) {
  return db.transaction(async (tx): Promise<ProjectWrite> => {
    const owner = await resolveOwner(tx, input);
    const now = new Date();
    const [row] = await tx
      .insert(githubProjects)
      .values({
        githubId: null,
        nodeId: null,
        number: null,
        ownerLogin: owner.login,
        // Unknown until GitHub answers when the owner has no mirrored project yet; organizations are the norm.
        ownerType: owner.type ?? "Organization",
        title: input.title,
        createdAt: now,
        updatedAt: now,
        syncState: "pending",
        syncedAt: null,
      })
      .returning({ id: githubProjects.id });
    if (!row) throw new Error("project insert returned no row");
    if (owner.link) {
      await tx
        .insert(githubProjectRepositories)
        .values({ projectId: row.id, repositoryId: owner.repositoryId });
    }
    const patch: Record<string, unknown> = { title: input.title, owner: owner.login };
    if (input.repository !== undefined) patch.repository = input.repository.toLowerCase();
    await enqueue(tx, {
      repositoryId: owner.repositoryId,
      entityType: "project",
      entityId: row.id,
      operation: "create",
      patch,
      base: null,
      createdBy: ctx.createdBy,
    });
    return { project: await reread(tx, row.id), repositoryId: owner.repositoryId };
  });
}

export async function updateProject(db: Database, id: string, input: ProjectUpdateInput, ctx: WriteContext) {
  requireSome(input, UPDATE_KEYS);
  return db.transaction(async (tx): Promise<ProjectWrite> => {
    const [current] = await tx.select().from(githubProjects).where(eq(githubProjects.id, id)).for("update");
    if (!current) throw notFound("Project", id);
    refuseDeleted("The project", current);
    checkIfMatch(ctx.ifMatch, current.syncVersion);
    const repositoryId = await linkedRepositoryId(tx, id);

    const patch: Partial<Record<Key, unknown>> = {};
    for (const key of UPDATE_KEYS) if (input[key] !== undefined) patch[key] = input[key];
    const before: Record<Key, unknown> = {
      title: current.title,
      short_description: current.shortDescription,
      readme: current.readme,
      public: current.public,
      closed: current.closed,
    };
    const base = Object.fromEntries(Object.keys(patch).map((key) => [key, before[key as Key]]));

    // updated_at stays GitHub's (see issues.ts).
    const set: Partial<NewProject> = { syncState: "pending" };
    if (input.title !== undefined) set.title = input.title;
    if (input.short_description !== undefined) set.shortDescription = input.short_description;
    if (input.readme !== undefined) set.readme = input.readme;
    if (input.public !== undefined) set.public = input.public;
    if (input.closed !== undefined && input.closed !== current.closed) {
      set.closed = input.closed;
      set.closedAt = input.closed ? new Date() : null;
    }
    await tx
      .update(githubProjects)
      .set({ ...set, syncVersion: sql`${githubProjects.syncVersion} + 1` })
      .where(eq(githubProjects.id, id));
    await enqueue(tx, {
      repositoryId,
      entityType: "project",
      entityId: id,
      operation: "update",
      patch,
      base,
      createdBy: ctx.createdBy,
    });
    return { project: await reread(tx, id), repositoryId };
  });
}
