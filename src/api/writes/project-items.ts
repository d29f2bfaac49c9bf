/**
 * Local project item writes: adding a mirrored issue to a project, and setting field values. One
 * transaction each, the item pending plus one outbox row (see issues.ts). The outbox row goes to the item's
 * issue's repository when it is tracked, else to the project's first linked repository.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/client.ts";
import {
  githubIssues,
  githubProjectFields,
  githubProjectItems,
  githubProjects,
  type Project,
  type ProjectFieldValue,
  type ProjectItem,
  repositories,
} from "../../db/schema.ts";
import { invalidField, notFound, ProblemError } from "../problem.ts";
import { checkIfMatch, enqueue, refuseDeleted, type WriteContext } from "./common.ts";
import { type NormalisedValue, normalise, resolveFieldValues } from "./field-values.ts";
import { linkedRepositoryId } from "./projects.ts";

export interface ItemWrite {
  row: ProjectItem;
  repositoryId: string;
}

async function liveProject(db: Executor, id: string): Promise<Project> {
  const [project] = await db.select().from(githubProjects).where(eq(githubProjects.id, id)).limit(1);
  if (!project) throw notFound("Project", id);
  refuseDeleted("The project", project);
  return project;
}

async function pushingRepository(db: Executor, projectId: string, issueId: string | null): Promise<string> {
  if (issueId !== null) {
    const [repo] = await db
      .select({ id: repositories.id })
      .from(githubIssues)
      .innerJoin(repositories, eq(repositories.id, githubIssues.repositoryId))
      .where(and(eq(githubIssues.id, issueId), eq(repositories.enabled, true)))
      .limit(1);
    if (repo) return repo.id;
  }
  return linkedRepositoryId(db, projectId);
}

export async function addProjectItem(db: Database, projectId: string, issueId: string, ctx: WriteContext) {
  return db.transaction(async (tx): Promise<ItemWrite> => {
    const project = await liveProject(tx, projectId);
    if (project.nodeId === null) {
      throw new ProblemError(409, "The project is not on GitHub yet; add items once its creation has synced");
    }
    const [issue] = await tx.select().from(githubIssues).where(eq(githubIssues.id, issueId)).limit(1);
    if (!issue) throw invalidField("issue_id", `no mirrored issue ${issueId}`);
    if (issue.deletedAt !== null) throw invalidField("issue_id", "the issue was deleted on GitHub");
    if (issue.nodeId === null) throw invalidField("issue_id", "issue not on GitHub yet");
    const [existing] = await tx
      .select({ id: githubProjectItems.id })
      .from(githubProjectItems)
      .where(
        and(
          eq(githubProjectItems.projectId, projectId),
          eq(githubProjectItems.contentNodeId, issue.nodeId),
          isNull(githubProjectItems.deletedAt),
        ),
      )
      .limit(1);
    if (existing)
      throw invalidField("issue_id", `the issue is already in this project (item ${existing.id})`);
    const repositoryId = await pushingRepository(tx, projectId, issue.id);
    const now = new Date();
    const [row] = await tx
      .insert(githubProjectItems)
      .values({
        projectId,
        nodeId: null,
        contentType: "Issue",
        contentNodeId: issue.nodeId,
        issueId: issue.id,
        title: issue.title,
        createdAt: now,
        updatedAt: now,
        syncState: "pending",
        syncedAt: null,
      })
      .returning();
    if (!row) throw new Error("project item insert returned no row");
    await enqueue(tx, {
      repositoryId,
      entityType: "project_item",
      entityId: row.id,
      operation: "create",
      patch: { project_node_id: project.nodeId, content_node_id: issue.nodeId },
      base: null,
      createdBy: ctx.createdBy,
    });
    return { row, repositoryId };
  });
}

export async function setItemFieldValues(
  db: Database,
  projectId: string,
  itemId: string,
  input: Record<string, unknown>,
  ctx: WriteContext,
) {
  return db.transaction(async (tx): Promise<ItemWrite> => {
    await liveProject(tx, projectId);
    const [current] = await tx
      .select()
      .from(githubProjectItems)
      .where(and(eq(githubProjectItems.id, itemId), eq(githubProjectItems.projectId, projectId)))
      .for("update");
    if (!current) throw notFound("Project item", itemId);
    refuseDeleted("The project item", current);
    checkIfMatch(ctx.ifMatch, current.syncVersion);
    const fields = await tx
      .select()
      .from(githubProjectFields)
      .where(and(eq(githubProjectFields.projectId, projectId), isNull(githubProjectFields.deletedAt)));
    const resolved = resolveFieldValues(fields, input);
    const repositoryId = await pushingRepository(tx, projectId, current.issueId);

    const stored: Record<string, ProjectFieldValue> = { ...current.fieldValues };
    const patch: Record<string, NormalisedValue> = {};
    const base: Record<string, NormalisedValue> = {};
    for (const value of resolved) {
      const nodeId = value.field.nodeId;
      base[nodeId] = normalise(current.fieldValues[nodeId]);
      patch[nodeId] = value.normalised;
      if (value.stored === null) delete stored[nodeId];
      else stored[nodeId] = value.stored;
    }
    const [row] = await tx
      .update(githubProjectItems)
      .set({
        fieldValues: stored,
        syncState: "pending",
        syncVersion: sql`${githubProjectItems.syncVersion} + 1`,
        // Every item write takes a fresh sync_seq (see projectItemSyncSeq in schema.ts).
        syncSeq: sql`nextval('github_project_items_sync_seq')`,
      })
      .where(eq(githubProjectItems.id, itemId))
      .returning();
    if (!row) throw new Error("project item update returned no row");
    await enqueue(tx, {
      repositoryId,
      entityType: "project_item",
      entityId: itemId,
      operation: "update",
      patch: { field_values: patch },
      base: { field_values: base },
      createdBy: ctx.createdBy,
    });
    return { row, repositoryId };
  });
}
