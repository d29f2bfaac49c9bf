/**
 * Pushing one outbox entry, for any REST entity (issues, milestones):
 * - update: read the entity as GitHub has it now, merge field by field against the entry's base, send only what
 *   the merge says to send, record true conflicts (those fields are held, the rest go through);
 * - create: exactly once. The attempt is recorded before the POST; when an earlier attempt exists (its response
 *   may have been lost after GitHub committed it), the adapter looks for what it created and adopts it.
 */
import { withFence } from "../../actors/fence.ts";
import type { Tx } from "../../db/client.ts";
import { type EntityType, type OutboxEntry, type Repository, syncConflicts } from "../../db/schema.ts";
import { type MergeResult, mergeEntity } from "./merge.ts";
import { finishEntry, markAttempt, refreshSyncState } from "./outbox-store.ts";
import type { PushContext } from "./push-context.ts";

export interface LocalRef {
  id: string;
  githubId: number | null;
  number: number | null;
}

export interface EntityAdapter<Remote> {
  entityType: EntityType;
  noun: string;
  load(ctx: PushContext, id: string): Promise<LocalRef | undefined>;
  collectionPath(repo: Repository): string;
  itemPath(repo: Repository, number: number): string;
  remoteView(remote: Remote): Record<string, unknown>;
  /** After a lost response: the entity an earlier attempt created, if any. */
  findCreated(ctx: PushContext, repo: Repository, entry: OutboxEntry): Promise<Remote | null>;
  /** Store GitHub's answer on the local row (by local id). */
  adopt(tx: Tx, localId: string, repo: Repository, remote: Remote): Promise<void>;
  /** Show the local value of held (conflicting) fields until the conflict is resolved. */
  hold?(tx: Tx, localId: string, fields: Record<string, unknown>): Promise<void>;
}

/** True conflicts of one push, one row per field, held until someone resolves them (any entity type). */
export async function recordConflicts(
  tx: Tx,
  repositoryId: string,
  entityType: EntityType,
  entityId: string,
  outboxId: number,
  conflicts: MergeResult["conflicts"],
): Promise<void> {
  for (const conflict of conflicts) {
    await tx.insert(syncConflicts).values({
      repositoryId,
      entityType,
      entityId,
      outboxId,
      conflictType: "concurrent_modification",
      field: conflict.field,
      baseVersion: { [conflict.field]: conflict.base },
      localVersion: { [conflict.field]: conflict.local },
      remoteVersion: { [conflict.field]: conflict.remote },
    });
  }
}

/** The entry refused for a reason GitHub will not change; the row shows `failed`. */
export async function failEntry(ctx: PushContext, entry: OutboxEntry, reason: string): Promise<void> {
  await withFence(ctx.db, ctx.fence, async (tx) => {
    await finishEntry(tx, entry.id, "failed", reason);
    await refreshSyncState(tx, entry.entityType, entry.entityId);
  });
}

export async function pushEntity<Remote>(
  adapter: EntityAdapter<Remote>,
  ctx: PushContext,
  repo: Repository,
  entry: OutboxEntry,
  folded: number[] = [],
): Promise<void> {
  const local = await adapter.load(ctx, entry.entityId);
  if (!local) {
    await withFence(ctx.db, ctx.fence, (tx) =>
      finishEntry(tx, entry.id, "failed", `the local ${adapter.noun} no longer exists`),
    );
    return;
  }

  if (entry.operation === "create") {
    let created =
      local.githubId === null && entry.attempts > 0 ? await adapter.findCreated(ctx, repo, entry) : null;
    if (local.githubId === null && !created) {
      await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
      created = await ctx.api.write<Remote>("POST", adapter.collectionPath(repo), entry.patch);
    }
    await withFence(ctx.db, ctx.fence, async (tx) => {
      if (created) await adapter.adopt(tx, local.id, repo, created);
      await finishEntry(tx, entry.id, "done");
      await refreshSyncState(tx, adapter.entityType, local.id);
    });
    return;
  }

  if (local.number === null) return failEntry(ctx, entry, `the ${adapter.noun} was never created on GitHub`);
  const path = adapter.itemPath(repo, local.number);
  const current = await ctx.api.get<Remote>(path, { conditional: false });
  if (!current.data) throw new Error(`GitHub returned no body for ${path}`);
  const merge = mergeEntity(
    adapter.entityType,
    entry.base,
    entry.patch,
    adapter.remoteView(current.data),
    ctx.policies,
  );
  let result: Remote = current.data;
  if (Object.keys(merge.push).length > 0) {
    await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
    result = await ctx.api.write<Remote>("PATCH", path, merge.push);
  }
  await withFence(ctx.db, ctx.fence, async (tx) => {
    await recordConflicts(tx, repo.id, adapter.entityType, local.id, entry.id, merge.conflicts);
    await adapter.adopt(tx, local.id, repo, result);
    if (merge.conflicts.length > 0 && adapter.hold) {
      await adapter.hold(tx, local.id, Object.fromEntries(merge.conflicts.map((c) => [c.field, c.local])));
    }
    await finishEntry(tx, entry.id, merge.conflicts.length > 0 ? "conflicted" : "done", undefined, folded);
    await refreshSyncState(tx, adapter.entityType, local.id);
  });
}
