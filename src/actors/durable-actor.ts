/**
 * A durable actor: an XState actor whose every transition is committed to Postgres (snapshot + transition row,
 * fenced by the lease epoch) and whose deadlines are re-armed from absolute times in its context.
 *
 * - Restore: a snapshot with the same machine id and version is restored; anything else (older version, a
 *   snapshot XState refuses) goes through a logged reset to a fresh actor, never a crash loop.
 * - Persist-before-effect: effects call `settled()` first, so the transition that started them is on disk
 *   before they touch GitHub; a restore then re-runs the same effect with the same ids (idempotent).
 * - Ownership: when a write finds the epoch moved on, the actor stops itself and reports "ownership lost".
 */
import { SpanStatusCode } from "@opentelemetry/api";
import { type AnyActorRef, type AnyStateMachine, createActor, type InspectionEvent } from "xstate";
import type { Database, Tx } from "../db/client.ts";
import type { ActorKind, ActorSnapshotRow } from "../db/schema.ts";
import type { Logger } from "../logger.ts";
import { tracer } from "../telemetry.ts";
import { OwnershipLostError } from "./fence.ts";
import type { RegisteredMachine } from "./registry.ts";
import { type ErrorSummary, loadActor, persistTransition, type TransitionRecord } from "./snapshot-store.ts";

type AnyActor = ReturnType<typeof createActor<AnyStateMachine>>;

export interface PersistedView {
  value: string;
  status: "active" | "done" | "error" | "stopped";
  context: Record<string, unknown>;
}

export interface ActorSummary {
  nextDeadline: number | null;
  retryCount: number;
  lastError: ErrorSummary | null;
}

export interface DurableActorOptions {
  actorId: string;
  kind: ActorKind;
  repositoryId: string;
  parentId: string | null;
  registered: RegisteredMachine;
  /** The machine with the runtime's effects provided. */
  machine: AnyStateMachine;
  /** Input for a fresh actor (first start, or after a reset). */
  input: (previous: ActorSnapshotRow | undefined) => Record<string, unknown>;
  epoch: number;
  holder: string;
  db: Database;
  log: Logger;
  now: () => number;
  /** Deadline, retry count and last error, read from a snapshot for the API and the timer. */
  summarize: (view: PersistedView) => ActorSummary;
  /** The event to send when the deadline passes. */
  deadlineEvent: (now: number) => { type: string };
  /** Kind-specific writes committed with each transition. */
  extraWrites?: (tx: Tx, view: PersistedView) => Promise<void>;
  onStopped?: (reason: "ownership_lost" | "stopped" | "done", error?: unknown) => void;
  onTransition?: (view: PersistedView) => void;
  /**
   * Context keys that need not be durable on their own: a transition that changes only these is not written
   * (they are written along with the next real change). For flags a restore makes moot, e.g. "run the apply
   * again" while applying: a restored applying state re-runs the apply anyway.
   */
  ephemeralContext?: readonly string[];
}

/** Keep the log readable: event payloads are summarised, large values cut. */
export function summarizeEvent(event: { type: string } & Record<string, unknown>): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === "type") continue;
    if (key === "error") {
      const err = value as { message?: unknown; kind?: unknown; retryAt?: unknown };
      summary.error = { kind: err?.kind, message: err?.message ?? String(value), retryAt: err?.retryAt };
      continue;
    }
    const json = JSON.stringify(value);
    summary[key] = json !== undefined && json.length > 500 ? `${json.slice(0, 500)}…` : value;
  }
  return summary;
}

const MAX_TIMER_MS = 60 * 60_000;

export class DurableActor {
  private actor: AnyActor | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private lastState: string | null = null;
  /** The last snapshot queued for writing, serialised: an event that changes nothing is not written again. */
  private lastPersisted: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** Set while stopping: snapshots produced by the stop itself are not transitions to record. */
  private halting = false;
  private readonly opts: DurableActorOptions;

  constructor(opts: DurableActorOptions) {
    this.opts = opts;
  }

  get id(): string {
    return this.opts.actorId;
  }

  get isRunning(): boolean {
    return this.actor !== null && !this.stopped;
  }

  /** Restore from Postgres (or create), persist the start, arm the deadline. */
  async start(): Promise<void> {
    const { opts } = this;
    const row = await loadActor(opts.db, opts.actorId);
    let restoredFrom: ActorSnapshotRow | undefined;
    let resetReason: string | null = null;

    if (row) {
      if (row.machineId !== opts.registered.id) {
        resetReason = `snapshot belongs to machine "${row.machineId}", expected "${opts.registered.id}"`;
      } else if (row.machineVersion !== opts.registered.version) {
        resetReason = `snapshot is machine version ${row.machineVersion}, this build runs version ${opts.registered.version}`;
      } else {
        restoredFrom = row;
      }
    }

    let actor: AnyActor | null = null;
    if (restoredFrom) {
      try {
        actor = this.create({ snapshot: restoredFrom.snapshot });
      } catch (error) {
        resetReason = `snapshot could not be restored: ${error instanceof Error ? error.message : String(error)}`;
        actor = null;
      }
    }
    if (!actor) actor = this.create({ input: opts.input(row) });
    this.actor = actor;
    this.lastState = row?.stateValue ?? null;

    const eventType = resetReason ? "runtime.reset" : restoredFrom ? "runtime.restored" : "runtime.created";
    if (resetReason) opts.log.warn("actor snapshot reset", { actorId: opts.actorId, reason: resetReason });
    const summary: Record<string, unknown> = { epoch: opts.epoch, holder: opts.holder };
    if (resetReason) summary.reason = resetReason;
    if (row && resetReason) summary.previous = { state: row.stateValue, version: row.machineVersion };

    // Subscribe before start so the first macrostep's snapshot is seen; the start itself is one transition.
    this.pendingStart = { eventType, summary };
    actor.start();
    if (this.pendingStart) this.enqueuePersist(actor.getSnapshot(), { type: eventType, ...summary });
    this.pendingStart = null;
    await this.settled();
  }

  private pendingStart: { eventType: string; summary: Record<string, unknown> } | null = null;

  private create(options: { snapshot?: unknown; input?: Record<string, unknown> }): AnyActor {
    let rootId: string | null = null;
    const actor = createActor(this.opts.machine, {
      ...(options.snapshot ? { snapshot: options.snapshot as never } : {}),
      ...(options.input ? { input: options.input } : {}),
      id: this.opts.actorId,
      inspect: (event: InspectionEvent) => {
        if (event.type !== "@xstate.snapshot" || this.stopped || this.halting) return;
        if (rootId === null || (event.actorRef as AnyActorRef).sessionId !== rootId) return;
        const source = event.event as { type: string } & Record<string, unknown>;
        // The start is recorded once, as created/restored/reset, not as xstate.init.
        if (source.type === "xstate.init" && this.pendingStart) {
          const { eventType, summary } = this.pendingStart;
          this.pendingStart = null;
          this.enqueuePersist(event.snapshot, { type: eventType, ...summary });
          return;
        }
        this.enqueuePersist(event.snapshot, source);
      },
    });
    rootId = actor.sessionId;
    return actor;
  }

  private view(snapshot: unknown): PersistedView {
    const s = snapshot as {
      value: unknown;
      status: PersistedView["status"];
      context: Record<string, unknown>;
    };
    const value = typeof s.value === "string" ? s.value : JSON.stringify(s.value);
    return { value, status: s.status, context: s.context };
  }

  private enqueuePersist(snapshot: unknown, event: { type: string } & Record<string, unknown>): void {
    const actor = this.actor;
    if (!actor) return;
    const view = this.view(snapshot);
    // Serialise now: the actor moves on while the write is queued.
    const serialised = JSON.stringify(
      (actor.logic as AnyStateMachine).getPersistedSnapshot(snapshot as never),
    );
    const persisted = JSON.parse(serialised) as Record<string, unknown>;
    // Same state, same durable context: nothing to make durable, e.g. a webhook wake while applying, which only
    // sets a flag. Writing each cost a fenced commit and held up the events behind it.
    const durable = this.durablePart(persisted);
    if (durable === this.lastPersisted && view.value === this.lastState) return;
    this.lastPersisted = durable;
    const transition: TransitionRecord = {
      eventType: event.type,
      eventSummary: summarizeEvent(event),
      fromState: this.lastState,
      toState: view.value,
    };
    this.lastState = view.value;
    this.armDeadline(view);
    this.opts.onTransition?.(view);
    this.queue = this.queue.then(() => this.write(view, persisted, transition));
  }

  /** The snapshot without its ephemeral context keys, serialised, for comparison. */
  private durablePart(persisted: Record<string, unknown>): string {
    const keys = this.opts.ephemeralContext ?? [];
    if (keys.length === 0) return JSON.stringify(persisted);
    const context = { ...(persisted.context as Record<string, unknown>) };
    for (const key of keys) delete context[key];
    return JSON.stringify({ ...persisted, context });
  }

  private async write(view: PersistedView, snapshot: Record<string, unknown>, transition: TransitionRecord) {
    if (this.stopped) return;
    const { opts } = this;
    const summary = opts.summarize(view);
    const span = tracer().startSpan("actor.transition", {
      attributes: {
        "actor.id": opts.actorId,
        "actor.kind": opts.kind,
        "actor.event": transition.eventType,
        "actor.from": transition.fromState ?? "",
        "actor.to": transition.toState,
        "lease.epoch": opts.epoch,
      },
    });
    try {
      await persistTransition(opts.db, {
        actorId: opts.actorId,
        kind: opts.kind,
        repositoryId: opts.repositoryId,
        parentId: opts.parentId,
        envelope: {
          machineId: opts.registered.id,
          machineVersion: opts.registered.version,
          definitionHash: opts.registered.definitionHash,
          xstateVersion: opts.registered.xstateVersion,
        },
        snapshot,
        stateValue: view.value,
        status: view.status,
        epoch: opts.epoch,
        holder: opts.holder,
        nextDeadline: summary.nextDeadline === null ? null : new Date(summary.nextDeadline),
        retryCount: summary.retryCount,
        lastError: summary.lastError,
        transition,
        ...(opts.extraWrites ? { extra: (tx: Tx) => opts.extraWrites!(tx, view) } : {}),
      });
      if (view.status === "done") this.finish("done");
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      if (error instanceof OwnershipLostError) {
        opts.log.warn("ownership lost: stopping actor", { actorId: opts.actorId, epoch: opts.epoch });
        this.finish("ownership_lost", error);
        return;
      }
      // A failed write must not be skipped silently: stop, and let the scheduler restore from the last commit.
      opts.log.error("could not persist transition: stopping actor", { actorId: opts.actorId, error });
      this.finish("stopped", error);
    } finally {
      span.end();
    }
  }

  private armDeadline(view: PersistedView): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (view.status !== "active") return;
    const deadline = this.opts.summarize(view).nextDeadline;
    if (deadline === null) return;
    const delay = Math.min(Math.max(0, deadline - this.opts.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.actor || this.stopped) return;
      const now = this.opts.now();
      if (now >= deadline) this.actor.send(this.opts.deadlineEvent(now));
      else this.armDeadline(this.view(this.actor.getSnapshot()));
    }, delay);
  }

  /** Resolves once every transition so far is committed (or the actor stopped). */
  async settled(): Promise<void> {
    let current: Promise<unknown>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  send(event: { type: string } & Record<string, unknown>): void {
    if (!this.actor || this.stopped) throw new Error(`actor ${this.opts.actorId} is not running`);
    this.actor.send(event);
  }

  snapshotView(): PersistedView | null {
    return this.actor ? this.view(this.actor.getSnapshot()) : null;
  }

  private finish(reason: "ownership_lost" | "stopped" | "done", error?: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.actor?.stop();
    this.opts.onStopped?.(reason, error);
  }

  /**
   * Stop (lease released or being handed over): no new transitions, but the ones already made are committed
   * first, so the next owner restores exactly where this one was. The writes are still fenced.
   */
  async stop(): Promise<void> {
    if (this.stopped || this.halting) return;
    this.halting = true;
    if (this.timer) clearTimeout(this.timer);
    this.actor?.stop();
    await this.settled();
    this.finish("stopped");
  }
}
