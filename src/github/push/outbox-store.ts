/**
 * The outbox from the pushing side: what is next, and the bookkeeping around each push (all fenced by the
 * caller's transaction). An entry is `pending` until pushed (`done`), held (`conflicted`) or refused by GitHub
 * for good (`failed`, with the reason). Entries of an entity with an open conflict wait behind it.
 */
import { and, asc, eq, gt, inArray, isNull, notExists, sql } from "drizzle-orm";
import type { Executor, Tx } from "../../db/client.ts";
import {
  type EntityType,
  githubIssues,
  githubLabels,
  githubMilestones,
  githubProjectItems,
  githubProjects,
  type OutboxEntry,
  outbox,
  syncConflicts,
} from "../../db/schema.ts";

export async function nextEntry(
  db: Executor,
  repositoryId: string,
  now: Date,
): Promise<OutboxEntry | undefined> {
  const held = db
    .select({ one: sql`1` })
    .from(syncConflicts)
    .where(
      and(
        eq(syncConflicts.entityType, outbox.entityType),
        eq(syncConflicts.entityId, outbox.entityId),
        isNull(syncConflicts.resolvedAt),
      ),
    );
  const [entry] = await db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.repositoryId, repositoryId),
        inArray(outbox.status, ["pending", "in_flight"]),
        sql`(${outbox.nextAttemptAt} is null or ${outbox.nextAttemptAt} <= ${now.toISOString()}::timestamptz)`,
        notExists(held),
      ),
    )
    .orderBy(asc(outbox.id))
    .limit(1);
  return entry;
}

/**
 * Later updates of the same entity still waiting: folded into the entry being pushed, so a burst of local
 * edits costs one write and is merged once against the base of the first (GitHub asks for few writes).
 */
export async function laterUpdates(db: Executor, entry: OutboxEntry): Promise<OutboxEntry[]> {
  if (entry.operation !== "update") return [];
  return db
    .select()
    .from(outbox)
    .where(
      and(
        eq(outbox.entityType, entry.entityType),
        eq(outbox.entityId, entry.entityId),
        eq(outbox.operation, "update"),
        eq(outbox.status, "pending"),
        gt(outbox.id, entry.id),
      ),
    )
    .orderBy(asc(outbox.id));
}

/** Patch keys holding a map of independent fields (project item values by field id): folded per inner key. */
const NESTED = new Set(["field_values"]);

/** Later patches over earlier ones, key by key (one level deeper for NESTED keys, so no field edit is lost). */
function layer(maps: (Record<string, unknown> | null)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [key, value] of Object.entries(map ?? {})) {
      const before = out[key];
      out[key] = NESTED.has(key) && isMap(before) && isMap(value) ? { ...before, ...value } : value;
    }
  }
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function fold(entry: OutboxEntry, later: OutboxEntry[]): OutboxEntry {
  if (later.length === 0) return entry;
  const patch = layer([entry.patch, ...later.map((e) => e.patch)]);
  // The earliest base of each field: what the first of these edits was made against.
  const base = layer([...[...later].reverse().map((e) => e.base), entry.base]);
  return { ...entry, patch, base };
}

/** Recorded before GitHub is called: a restart then knows a create may already have happened. */
export async function markAttempt(tx: Tx, id: number): Promise<void> {
  await tx
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1`, status: "in_flight" })
    .where(eq(outbox.id, id));
}

export async function finishEntry(
  tx: Tx,
  id: number,
  status: "done" | "conflicted" | "failed",
  error?: string,
  folded: number[] = [],
): Promise<void> {
  await tx
    .update(outbox)
    .set({ status, lastError: error ?? null, completedAt: status === "conflicted" ? null : sql`now()` })
    .where(eq(outbox.id, id));
  if (folded.length > 0) {
    await tx
      .update(outbox)
      .set({ status: "done", lastError: `folded into #${id}`, completedAt: sql`now()` })
      .where(inArray(outbox.id, folded));
  }
}

/** A transient failure: try again after a while (the actor's back-off covers rate limits). */
export async function deferEntry(tx: Tx, id: number, error: string, retryAt: Date): Promise<void> {
  await tx
    .update(outbox)
    .set({ status: "pending", lastError: error, nextAttemptAt: retryAt })
    .where(eq(outbox.id, id));
}

const TABLES = {
  issue: githubIssues,
  label: githubLabels,
  milestone: githubMilestones,
  project: githubProjects,
  project_item: githubProjectItems,
} as const;

/**
 * The entity row's sync state from what is outstanding for it: conflicted while a conflict is open, pending
 * while entries wait, failed when the last entry was refused, else synced.
 */
export async function refreshSyncState(tx: Tx, entityType: EntityType, entityId: string): Promise<void> {
  const table = TABLES[entityType as keyof typeof TABLES];
  if (!table) return;
  await tx.execute(sql`
    update ${table} set sync_state = case
      when exists (select 1 from sync_conflicts c where c.entity_type = ${entityType} and c.entity_id = ${entityId} and c.resolved_at is null) then 'conflicted'
      when exists (select 1 from outbox o where o.entity_type = ${entityType} and o.entity_id = ${entityId} and o.status in ('pending', 'in_flight')) then 'pending'
      when exists (select 1 from outbox o where o.entity_type = ${entityType} and o.entity_id = ${entityId} and o.status = 'failed'
                   and o.id = (select max(id) from outbox o2 where o2.entity_type = ${entityType} and o2.entity_id = ${entityId})) then 'failed'
      else 'synced' end
    where id = ${entityId}`);
}

export async function openConflictCount(db: Executor, repositoryId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(syncConflicts)
    .where(and(eq(syncConflicts.repositoryId, repositoryId), isNull(syncConflicts.resolvedAt)));
  return row?.n ?? 0;
}
