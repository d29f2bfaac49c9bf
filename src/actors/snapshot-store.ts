/**
 * actor_snapshots and actor_transitions: each transition commits the snapshot (in its versioned envelope) and
 * its transition-log row in one fenced transaction.
 */
import { and, count, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import type { Executor, Tx } from "../db/client.ts";
import { type ActorKind, type ActorSnapshotRow, actorSnapshots, actorTransitions } from "../db/schema.ts";
import { withFence } from "./fence.ts";

export interface Envelope {
  machineId: string;
  machineVersion: number;
  definitionHash: string;
  xstateVersion: string;
}

export interface ErrorSummary {
  message: string;
  stack?: string;
  at: string;
}

export interface TransitionRecord {
  eventType: string;
  eventSummary: Record<string, unknown> | null;
  fromState: string | null;
  toState: string;
}

export interface PersistRequest {
  actorId: string;
  kind: ActorKind;
  repositoryId: string;
  parentId: string | null;
  envelope: Envelope;
  snapshot: Record<string, unknown>;
  stateValue: string;
  status: "active" | "done" | "error" | "stopped";
  epoch: number;
  holder: string;
  nextDeadline: Date | null;
  retryCount: number;
  lastError: ErrorSummary | null;
  transition: TransitionRecord;
  /** Kind-specific writes in the same transaction (the sync_operations row of an operation actor). */
  extra?: (tx: Tx) => Promise<void>;
}

/** Commit one transition. Throws OwnershipLostError when the lease epoch moved on; nothing is written then. */
export async function persistTransition(db: Executor, req: PersistRequest): Promise<number> {
  return withFence(db, { repositoryId: req.repositoryId, epoch: req.epoch }, async (tx) => {
    const [row] = await tx
      .insert(actorSnapshots)
      .values({
        actorId: req.actorId,
        kind: req.kind,
        repositoryId: req.repositoryId,
        parentId: req.parentId,
        ...req.envelope,
        snapshot: req.snapshot,
        stateValue: req.stateValue,
        status: req.status,
        seq: 1,
        epoch: req.epoch,
        holder: req.holder,
        nextDeadline: req.nextDeadline,
        retryCount: req.retryCount,
        lastError: req.lastError,
      })
      .onConflictDoUpdate({
        target: actorSnapshots.actorId,
        set: {
          machineId: req.envelope.machineId,
          machineVersion: req.envelope.machineVersion,
          definitionHash: req.envelope.definitionHash,
          xstateVersion: req.envelope.xstateVersion,
          snapshot: req.snapshot,
          stateSince: sql`case when ${actorSnapshots.stateValue} = ${req.stateValue} then ${actorSnapshots.stateSince} else now() end`,
          stateValue: req.stateValue,
          status: req.status,
          seq: sql`${actorSnapshots.seq} + 1`,
          epoch: req.epoch,
          holder: req.holder,
          nextDeadline: req.nextDeadline,
          retryCount: req.retryCount,
          lastError: req.lastError,
          updatedAt: sql`now()`,
        },
      })
      .returning({ seq: actorSnapshots.seq });
    const seq = row?.seq ?? 0;
    await tx.insert(actorTransitions).values({
      actorId: req.actorId,
      seq,
      eventType: req.transition.eventType,
      eventSummary: req.transition.eventSummary,
      fromState: req.transition.fromState,
      toState: req.transition.toState,
      epoch: req.epoch,
      holder: req.holder,
    });
    if (req.extra) await req.extra(tx);
    return seq;
  });
}

export async function loadActor(db: Executor, actorId: string): Promise<ActorSnapshotRow | undefined> {
  const [row] = await db.select().from(actorSnapshots).where(eq(actorSnapshots.actorId, actorId)).limit(1);
  return row;
}

export interface ActorFilter {
  kind?: ActorKind;
  state?: string;
  repositoryId?: string;
  /** Non-final and (deadline overdue, or in a non-resting state longer than `stuckAfterMs`). */
  stuckAfterMs?: number;
}

export const RESTING_STATES = ["idle", "conflicted", "paused", "completed", "failed", "cancelled"];

function actorConditions(filter: ActorFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.kind) where.push(eq(actorSnapshots.kind, filter.kind));
  if (filter.state) where.push(eq(actorSnapshots.stateValue, filter.state));
  if (filter.repositoryId) where.push(eq(actorSnapshots.repositoryId, filter.repositoryId));
  if (filter.stuckAfterMs !== undefined) {
    const seconds = filter.stuckAfterMs / 1000;
    where.push(sql`${actorSnapshots.status} = 'active' and (
      (${actorSnapshots.nextDeadline} is not null and ${actorSnapshots.nextDeadline} < now() - make_interval(secs => ${seconds}))
      or (${actorSnapshots.stateValue} not in ${RESTING_STATES} and ${actorSnapshots.stateSince} < now() - make_interval(secs => ${seconds}))
    )`);
  }
  return where;
}

export async function listActors(
  db: Executor,
  filter: ActorFilter,
  page: { page: number; perPage: number },
): Promise<{ rows: ActorSnapshotRow[]; total: number }> {
  const where = and(...actorConditions(filter));
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(actorSnapshots)
      .where(where)
      .orderBy(desc(actorSnapshots.updatedAt), actorSnapshots.actorId)
      .limit(page.perPage)
      .offset((page.page - 1) * page.perPage),
    db.select({ total: count() }).from(actorSnapshots).where(where),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

export async function listTransitions(
  db: Executor,
  actorId: string,
  page: { page: number; perPage: number },
) {
  const where = eq(actorTransitions.actorId, actorId);
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(actorTransitions)
      .where(where)
      .orderBy(desc(actorTransitions.id))
      .limit(page.perPage)
      .offset((page.page - 1) * page.perPage),
    db.select({ total: count() }).from(actorTransitions).where(where),
  ]);
  return { rows, total: totals[0]?.total ?? 0 };
}

/** Retention: transition history is kept after runs finish, up to this age. */
export async function pruneTransitions(db: Executor, olderThan: Date): Promise<number> {
  const deleted = await db
    .delete(actorTransitions)
    .where(lt(actorTransitions.at, olderThan))
    .returning({ id: actorTransitions.id });
  return deleted.length;
}
