/**
 * Local label writes: one transaction each, the row pending plus one outbox row (see issues.ts). A delete is
 * pushed as a DELETE on GitHub; until then the row stays, pending. Issues keep naming labels by name: they
 * follow a rename or a deletion once GitHub has it (the push adopts GitHub's answer through the label write
 * path, which rewrites the issues as GitHub does).
 */
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import type { Database, Executor } from "../../db/client.ts";
import { githubLabels, type Label, type NewLabel } from "../../db/schema.ts";
import { freeLabelName } from "../../db/writes/labels.ts";
import type { LabelCreateInput, LabelUpdateInput } from "../models/writes.ts";
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

export interface LabelWrite {
  row: Label;
  repositoryId: string;
}

const UPDATE_KEYS = ["name", "color", "description"] as const;
type Key = (typeof UPDATE_KEYS)[number];

/** GitHub's default for a label created without a colour is random; a fixed grey keeps ours predictable. */
const DEFAULT_COLOR = "ededed";

/** Label names are unique per repository on GitHub, compared without case. */
async function refuseDuplicateName(db: Executor, repositoryId: string, name: string, exceptId?: string) {
  const [clash] = await db
    .select({ name: githubLabels.name })
    .from(githubLabels)
    .where(
      and(
        eq(githubLabels.repositoryId, repositoryId),
        sql`lower(${githubLabels.name}) = lower(${name})`,
        isNull(githubLabels.deletedAt),
        exceptId ? ne(githubLabels.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  if (clash) throw invalidField("name", `a label named "${clash.name}" already exists in this repository`);
}

function patchOf(input: LabelUpdateInput): Partial<Record<Key, unknown>> {
  const patch: Partial<Record<Key, unknown>> = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.color !== undefined) patch.color = input.color.toLowerCase();
  if (input.description !== undefined) patch.description = input.description;
  return patch;
}

async function lockLive(db: Executor, id: string, ifMatch: string | null): Promise<Label> {
  const [current] = await db.select().from(githubLabels).where(eq(githubLabels.id, id)).for("update");
  if (!current) throw notFound("Label", id);
  refuseDeleted("The label", current);
  checkIfMatch(ifMatch, current.syncVersion);
  await enabledRepositoryById(db, current.repositoryId);
  return current;
}

export async function createLabel(db: Database, input: LabelCreateInput, ctx: WriteContext) {
  return db.transaction(async (tx): Promise<LabelWrite> => {
    const repo = await trackedRepository(tx, input.repository);
    await refuseDuplicateName(tx, repo.id, input.name);
    await freeLabelName(tx, repo.id, input.name);
    const color = (input.color ?? DEFAULT_COLOR).toLowerCase();
    const [row] = await tx
      .insert(githubLabels)
      .values({
        repositoryId: repo.id,
        repositoryFullName: repo.fullName,
        githubId: null,
        nodeId: null,
        name: input.name,
        color,
        description: input.description ?? null,
        isDefault: false,
        syncState: "pending",
        syncedAt: null,
      })
      .returning();
    if (!row) throw new Error("label insert returned no row");
    await enqueue(tx, {
      repositoryId: repo.id,
      entityType: "label",
      entityId: row.id,
      operation: "create",
      patch: { name: input.name, color, description: input.description ?? null },
      base: null,
      createdBy: ctx.createdBy,
    });
    return { row, repositoryId: repo.id };
  });
}

export async function updateLabel(db: Database, id: string, input: LabelUpdateInput, ctx: WriteContext) {
  requireSome(input, UPDATE_KEYS);
  return db.transaction(async (tx): Promise<LabelWrite> => {
    const current = await lockLive(tx, id, ctx.ifMatch);
    if (input.name !== undefined) {
      await refuseDuplicateName(tx, current.repositoryId, input.name, id);
      await freeLabelName(tx, current.repositoryId, input.name);
    }
    const patch = patchOf(input);
    const before: Record<Key, unknown> = {
      name: current.name,
      color: current.color,
      description: current.description,
    };
    const base = Object.fromEntries(Object.keys(patch).map((key) => [key, before[key as Key]]));
    // The patch keys are the row's columns (name, color, description). The name GitHub knows the label by goes
    // with every update: GitHub addresses labels by name.
    return queueChange(
      tx,
      current,
      "update",
      patch as Partial<NewLabel>,
      patch,
      { ...base, name: current.name },
      ctx,
    );
  });
}

export async function deleteLabel(db: Database, id: string, ctx: WriteContext) {
  return db.transaction(async (tx): Promise<LabelWrite> => {
    const current = await lockLive(tx, id, ctx.ifMatch);
    return queueChange(tx, current, "delete", {}, {}, { name: current.name }, ctx);
  });
}

/** The row pending (with `set` applied, its version bumped) and its outbox entry, in the caller's transaction. */
async function queueChange(
  tx: Executor,
  current: Label,
  operation: "update" | "delete",
  set: Partial<NewLabel>,
  patch: Record<string, unknown>,
  base: Record<string, unknown>,
  ctx: WriteContext,
): Promise<LabelWrite> {
  const [row] = await tx
    .update(githubLabels)
    .set({ ...set, syncState: "pending", syncVersion: sql`${githubLabels.syncVersion} + 1` })
    .where(eq(githubLabels.id, current.id))
    .returning();
  if (!row) throw new Error("label update returned no row");
  await enqueue(tx, {
    repositoryId: current.repositoryId,
    entityType: "label",
    entityId: current.id,
    operation,
    patch,
    base,
    createdBy: ctx.createdBy,
  });
  return { row, repositoryId: current.repositoryId };
}
