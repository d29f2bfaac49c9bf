/** Local milestone writes: one transaction each, the row pending plus one outbox row (see issues.ts). */
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/client.ts";
import { githubMilestones, type Milestone, type NewMilestone } from "../../db/schema.ts";
import { iso } from "../models/common.ts";
import type { MilestoneCreateInput, MilestoneUpdateInput } from "../models/writes.ts";
import { invalidField, notFound } from "../problem.ts";
import {
  checkIfMatch,
  enabledRepositoryById,
  enqueue,
  refuseDeleted,
  requireSome,
  trackedRepository,
  type WriteContext,
} from "./common.ts";

export interface MilestoneWrite {
  row: Milestone;
  repositoryId: string;
}

const UPDATE_KEYS = ["title", "description", "due_on", "state"] as const;
type Key = (typeof UPDATE_KEYS)[number];

/** due_on as the patch carries it: a canonical ISO string, so base and patch compare as strings. */
const dueOn = (value: string | null) => (value === null ? null : new Date(value).toISOString());

/** GitHub refuses a second milestone with the same title in a repository (already_exists). */
async function refuseDuplicateTitle(db: Executor, repositoryId: string, title: string, exceptId?: string) {
  const [clash] = await db
    .select({ id: githubMilestones.id })
    .from(githubMilestones)
    .where(
      and(
        eq(githubMilestones.repositoryId, repositoryId),
        eq(githubMilestones.title, title),
        isNull(githubMilestones.deletedAt),
        exceptId ? ne(githubMilestones.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  if (clash) throw invalidField("title", `a milestone titled "${title}" already exists in this repository`);
}

function patchOf(input: MilestoneUpdateInput): Partial<Record<Key, unknown>> {
  const patch: Partial<Record<Key, unknown>> = {};
  if (input.title !== undefined) patch.title = input.title;
  if (input.description !== undefined) patch.description = input.description;
  if (input.due_on !== undefined) patch.due_on = dueOn(input.due_on);
  if (input.state !== undefined) patch.state = input.state;
  return patch;
}

export async function createMilestone(db: Database, input: MilestoneCreateInput, ctx: WriteContext) {
  return db.transaction(async (tx): Promise<MilestoneWrite> => {
    const repo = await trackedRepository(tx, input.repository);
    await refuseDuplicateTitle(tx, repo.id, input.title);
    const now = new Date();
    const state = input.state ?? "open";
    const [row] = await tx
      .insert(githubMilestones)
      .values({
        repositoryId: repo.id,
        repositoryFullName: repo.fullName,
        githubId: null,
        nodeId: null,
        number: null,
        title: input.title,
        description: input.description ?? null,
        state,
        dueOn: input.due_on ? new Date(input.due_on) : null,
        createdAt: now,
        updatedAt: now,
        closedAt: state === "closed" ? now : null,
        syncState: "pending",
        syncedAt: null,
      })
      .returning();
    if (!row) throw new Error("milestone insert returned no row");
    await enqueue(tx, {
      repositoryId: repo.id,
      entityType: "milestone",
      entityId: row.id,
      operation: "create",
      patch: { ...patchOf(input), title: input.title },
      base: null,
      createdBy: ctx.createdBy,
    });
    return { row, repositoryId: repo.id };
  });
}

export async function updateMilestone(
  db: Database,
  id: string,
  input: MilestoneUpdateInput,
  ctx: WriteContext,
) {
  requireSome(input, UPDATE_KEYS);
  return db.transaction(async (tx): Promise<MilestoneWrite> => {
    const [current] = await tx
      .select()
      .from(githubMilestones)
      .where(eq(githubMilestones.id, id))
      .for("update");
    if (!current) throw notFound("Milestone", id);
    refuseDeleted("The milestone", current);
    checkIfMatch(ctx.ifMatch, current.syncVersion);
    await enabledRepositoryById(tx, current.repositoryId);
    if (input.title !== undefined) await refuseDuplicateTitle(tx, current.repositoryId, input.title, id);

    const patch = patchOf(input);
    const before: Record<Key, unknown> = {
      title: current.title,
      description: current.description,
      due_on: iso(current.dueOn),
      state: current.state,
    };
    const base = Object.fromEntries(Object.keys(patch).map((key) => [key, before[key as Key]]));

    // updated_at stays GitHub's (see issues.ts).
    const set: Partial<NewMilestone> = { syncState: "pending" };
    if (input.title !== undefined) set.title = input.title;
    if (input.description !== undefined) set.description = input.description;
    if (input.due_on !== undefined) set.dueOn = input.due_on === null ? null : new Date(input.due_on);
    if (input.state !== undefined && input.state !== current.state) {
      set.state = input.state;
      set.closedAt = input.state === "closed" ? new Date() : null;
    }
    const [row] = await tx
      .update(githubMilestones)
      .set({ ...set, syncVersion: sql`${githubMilestones.syncVersion} + 1` })
      .where(eq(githubMilestones.id, id))
      .returning();
    if (!row) throw new Error("milestone update returned no row");
    await enqueue(tx, {
      repositoryId: current.repositoryId,
      entityType: "milestone",
      entityId: id,
      operation: "update",
      patch,
      base,
      createdBy: ctx.createdBy,
    });
    return { row, repositoryId: current.repositoryId };
  });
}
