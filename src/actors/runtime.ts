/**
 * The actor runtime of one replica: scheduler, locks, membership and the wake-up bus, on Redis when REDIS_URL
 * is set, in-process otherwise (embedded mode: same epoch logic, one replica).
 */
import Redis from "ioredis";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import type { SyncEngine } from "./effects.ts";
import { createInProcessLockProvider, createRedlockProvider } from "./locks.ts";
import { createRedisMembership, createSoloMembership } from "./membership.ts";
import { buildRegistry } from "./registry.ts";
import { operationActorId, repositoryActorId } from "./repository-driver.ts";
import { Scheduler } from "./scheduler.ts";
import { pruneTransitions } from "./snapshot-store.ts";
import { type BusMessage, createLocalBus, createRedisBus, type WakeBus } from "./wake-bus.ts";

export interface RuntimeOptions {
  db: Database;
  log: Logger;
  engine: SyncEngine;
  redisUrl: string | null;
  replicaId: string;
  leaseTtlMs: number;
  pollIntervalMs: number;
  historyDays: number;
}

export type OperatorAction = "retry-now" | "pause" | "resume" | "cancel";

export interface Runtime {
  readonly mode: "redis" | "embedded";
  readonly scheduler: Scheduler;
  /** A webhook, local write or manual trigger for this repository: wake its actor wherever it runs. */
  wake(repositoryId: string, reason: "webhook" | "local_write" | "manual"): Promise<void>;
  /** Deliver an operator action to an actor through its owner (recorded in its transition log). */
  operatorAction(
    target: { actorId: string; repositoryId: string; kind: "repository" | "sync_operation" },
    action: OperatorAction,
  ): Promise<"local" | "forwarded">;
  /** Queue a sync operation (its sync_operations row exists) on the repository's actor, wherever it runs. */
  trigger(
    repositoryId: string,
    operation: {
      operationId: string;
      syncType: "full" | "incremental";
      direction: "from_github" | "to_github" | "bidirectional";
    },
  ): Promise<"local" | "forwarded">;
  /** A repository row was added or enabled: let the scheduler place it now rather than at the next tick. */
  tracked(repositoryId: string): Promise<void>;
  stop(): Promise<void>;
}

function operatorEvent(kind: "repository" | "sync_operation", action: OperatorAction, now: number) {
  const base = { now, source: "operator" };
  if (kind === "sync_operation") {
    if (action === "cancel") return { type: "CANCEL", ...base, reason: "cancelled by operator" };
    if (action === "retry-now" || action === "resume") return { type: "RESUME", ...base };
    return null;
  }
  const operationId = crypto.randomUUID();
  switch (action) {
    case "retry-now":
      return { type: "RETRY_NOW", ...base, operationId };
    case "pause":
      return { type: "PAUSE", ...base };
    case "resume":
      return { type: "RESUME", ...base, operationId };
    case "cancel":
      return { type: "CANCEL", ...base };
  }
}

export class UnsupportedActionError extends Error {}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const registry = await buildRegistry();
  let bus: WakeBus;
  let redisClients: Redis[] = [];
  let mode: Runtime["mode"];
  let locks: ReturnType<typeof createRedlockProvider>;
  let membership: ReturnType<typeof createRedisMembership>;
  if (options.redisUrl) {
    // Separate connections: a subscribed connection cannot issue commands.
    // No offline queue for lock and membership commands: while Redis is unreachable they must fail, not wait.
    const commands = new Redis(options.redisUrl, {
      maxRetriesPerRequest: 2,
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    const publisher = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 });
    const subscriber = new Redis(options.redisUrl);
    for (const client of [commands, publisher, subscriber]) {
      client.on("error", (error) => options.log.debug("redis connection error", { error: error.message }));
    }
    await commands.connect();
    await commands.ping();
    redisClients = [commands, publisher, subscriber];
    bus = await createRedisBus(publisher, subscriber);
    locks = createRedlockProvider(commands);
    membership = createRedisMembership(commands, options.replicaId);
    mode = "redis";
  } else {
    bus = createLocalBus();
    locks = createInProcessLockProvider();
    membership = createSoloMembership(options.replicaId);
    mode = "embedded";
  }

  const scheduler = new Scheduler({
    db: options.db,
    log: options.log,
    registry,
    engine: options.engine,
    locks,
    membership,
    bus,
    replicaId: options.replicaId,
    leaseTtlMs: options.leaseTtlMs,
    pollIntervalMs: options.pollIntervalMs,
  });
  await scheduler.start();

  const prune = async () => {
    const cutoff = new Date(Date.now() - options.historyDays * 86_400_000);
    const removed = await pruneTransitions(options.db, cutoff).catch(() => 0);
    if (removed > 0) options.log.info("pruned actor history", { removed, olderThan: cutoff.toISOString() });
  };
  void prune();
  const pruneTimer = setInterval(() => void prune(), 60 * 60_000);

  const publish = (message: BusMessage) => bus.publish(message);

  return {
    mode,
    scheduler,
    async wake(repositoryId, reason) {
      const driver = scheduler.driverFor(repositoryId);
      if (driver) {
        driver.send({ type: "WAKE", reason, now: Date.now(), operationId: crypto.randomUUID() });
        return;
      }
      await publish({ kind: "wake", repositoryId, reason });
    },
    async operatorAction(target, action) {
      const event = operatorEvent(target.kind, action, Date.now());
      if (!event) throw new UnsupportedActionError(`"${action}" does not apply to a ${target.kind} actor`);
      const driver = scheduler.driverFor(target.repositoryId);
      if (driver) {
        if (target.actorId === repositoryActorId(target.repositoryId)) driver.send(event);
        else if (!driver.sendToOperation(target.actorId.replace(/^sync_operation:/, ""), event)) {
          throw new UnsupportedActionError("the operation is not running");
        }
        return "local";
      }
      await publish({
        kind: "actor_event",
        repositoryId: target.repositoryId,
        actorId: target.actorId,
        event,
      });
      return "forwarded";
    },
    async trigger(repositoryId, operation) {
      const event = { type: "TRIGGER", now: Date.now(), source: "api", ...operation };
      const driver = scheduler.driverFor(repositoryId);
      if (driver) {
        driver.send(event);
        return "local";
      }
      await publish({ kind: "actor_event", repositoryId, actorId: repositoryActorId(repositoryId), event });
      return "forwarded";
    },
    async tracked(repositoryId) {
      await scheduler.tick();
      await publish({ kind: "tracked", repositoryId });
    },
    async stop() {
      clearInterval(pruneTimer);
      await scheduler.stop();
      await bus.close();
      for (const client of redisClients) client.disconnect();
    },
  };
}

export { operationActorId, repositoryActorId };
