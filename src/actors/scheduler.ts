/**
 * The scheduler decides which repositories this replica drives.
 *
 * Every tick: heartbeat, read the live replicas and the enabled repositories, extend held locks (a lost lock
 * stops that repository at once), hand over repositories another live replica should drive (rendezvous hashing
 * spreads them), and take the ones this replica should drive, or any that nobody has driven for two lease TTLs.
 * Taking a repository increments its lease epoch in Postgres: the fencing token for all its writes.
 */
import type { Database } from "../db/client.ts";
import { repositories } from "../db/schema.ts";
import { Semaphore } from "../lib/semaphore.ts";
import type { Logger } from "../logger.ts";
import { meter } from "../telemetry.ts";
import type { SyncEngine } from "./effects.ts";
import { acquireLease, releaseLease, renewLease } from "./lease-store.ts";
import type { HeldLock, LockProvider } from "./locks.ts";
import { type Membership, preferredReplica } from "./membership.ts";
import type { MachineRegistry } from "./registry.ts";
import { RepositoryDriver } from "./repository-driver.ts";
import type { BusMessage, WakeBus } from "./wake-bus.ts";

export interface SchedulerDeps {
  db: Database;
  log: Logger;
  registry: MachineRegistry;
  engine: SyncEngine;
  locks: LockProvider;
  membership: Membership;
  bus: WakeBus;
  replicaId: string;
  leaseTtlMs: number;
  pollIntervalMs: number;
  /** Sync operations running at once on this replica (default 8). */
  maxConcurrentSyncs?: number;
  now?: () => number;
}

interface Held {
  driver: RepositoryDriver;
  lock: HeldLock;
}

const lockKey = (repositoryId: string) => `gt:lease:${repositoryId}`;
const ACQUIRE_CONCURRENCY = 16;

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

export class Scheduler {
  private readonly held = new Map<string, Held>();
  private readonly syncSlots: Semaphore;
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticking: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly now: () => number;
  private readonly counters = {
    acquired: meter().createCounter("lease_acquired", { description: "Repository leases taken" }),
    lost: meter().createCounter("lease_ownership_lost", {
      description: "Repositories stopped: ownership lost",
    }),
    released: meter().createCounter("lease_released", { description: "Repository leases handed over" }),
  };

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? Date.now;
    this.syncSlots = new Semaphore(deps.maxConcurrentSyncs ?? 8);
    deps.bus.subscribe((message) => this.onMessage(message));
  }

  /** Ticks at a third of the lease TTL so a lock is extended twice before it could lapse. */
  get tickMs(): number {
    return Math.max(200, Math.floor(this.deps.leaseTtlMs / 3));
  }

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.tickMs);
  }

  heldRepositoryIds(): string[] {
    return [...this.held.keys()];
  }

  driverFor(repositoryId: string): RepositoryDriver | null {
    const held = this.held.get(repositoryId);
    return held?.driver.running ? held.driver : null;
  }

  /** Run a tick now (coalesced with one in progress). */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      try {
        do {
          this.again = false;
          await this.tickOnce();
        } while (this.again && !this.stopped);
      } catch (error) {
        this.deps.log.error("scheduler tick failed", { error });
      } finally {
        this.ticking = null;
      }
    })();
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    const { deps } = this;
    let live: string[];
    try {
      await deps.membership.heartbeat(deps.leaseTtlMs);
      live = await deps.membership.live();
    } catch (error) {
      // Without Redis this replica cannot prove it should drive anything: stop driving.
      if (this.held.size > 0)
        deps.log.error("coordination store unreachable: stopping all repositories", { error });
      await Promise.all([...this.held.keys()].map((id) => this.drop(id, "coordination store unreachable")));
      return;
    }
    if (!live.includes(deps.replicaId)) live = [...live, deps.replicaId].sort();

    await Promise.all([...this.held.entries()].map(([id, held]) => this.extend(id, held)));

    const repos = await deps.db
      .select({
        id: repositories.id,
        fullName: repositories.fullName,
        leaseUntil: repositories.leaseUntil,
        enabled: repositories.enabled,
      })
      .from(repositories);
    const staleBefore = this.now() - 2 * deps.leaseTtlMs;
    const toAcquire: { id: string; fullName: string }[] = [];
    for (const repo of repos) {
      if (this.stopped) return;
      const preferred = preferredReplica(live, repo.id);
      const mine = this.held.has(repo.id);
      if (!repo.enabled) {
        if (mine) await this.release(repo.id, "repository disabled");
        continue;
      }
      if (mine && preferred !== deps.replicaId) {
        await this.release(repo.id, `handed over to ${preferred}`);
      } else if (!mine) {
        const orphaned = repo.leaseUntil === null || repo.leaseUntil.getTime() < staleBefore;
        if (preferred === deps.replicaId || orphaned) toAcquire.push(repo);
      }
    }
    // A few at a time: a replica starting with hundreds of repositories should not take them one by one.
    await inBatches(toAcquire, ACQUIRE_CONCURRENCY, (repo) => this.acquire(repo.id, repo.fullName));
  }

  private async extend(repositoryId: string, held: Held): Promise<void> {
    if (!held.driver.running) {
      await this.drop(repositoryId, "actor stopped");
      return;
    }
    const lock = await this.deps.locks.extend(held.lock, this.deps.leaseTtlMs);
    if (!lock) {
      await this.drop(repositoryId, "lock lost");
      return;
    }
    held.lock = lock;
    const renewed = await renewLease(
      this.deps.db,
      repositoryId,
      held.driver.epoch,
      this.deps.leaseTtlMs,
    ).catch(
      () => true, // a database hiccup is not a lost lease; the fenced writes will tell
    );
    if (!renewed) await this.drop(repositoryId, "epoch moved on");
  }

  private async acquire(repositoryId: string, fullName: string): Promise<void> {
    const { deps } = this;
    const lock = await deps.locks.acquire(lockKey(repositoryId), deps.leaseTtlMs);
    if (!lock) return;
    try {
      const epoch = await acquireLease(deps.db, repositoryId, deps.replicaId, deps.leaseTtlMs);
      const driver = new RepositoryDriver(
        {
          db: deps.db,
          log: deps.log,
          registry: deps.registry,
          engine: deps.engine,
          holder: deps.replicaId,
          pollIntervalMs: deps.pollIntervalMs,
          now: this.now,
          onOwnershipLost: (id) => void this.drop(id, "ownership lost"),
          syncSlots: this.syncSlots,
        },
        repositoryId,
        fullName,
        epoch,
      );
      this.held.set(repositoryId, { driver, lock });
      await driver.start();
      this.counters.acquired.add(1);
      deps.log.info("driving repository", { repository: fullName, epoch });
    } catch (error) {
      this.held.delete(repositoryId);
      await deps.locks.release(lock);
      deps.log.error("could not start repository", { repository: fullName, error });
    }
  }

  /** Hand a repository over cleanly: commit its last transitions, clear the lease, free the lock, tell the others. */
  private async release(repositoryId: string, reason: string): Promise<void> {
    const held = this.held.get(repositoryId);
    if (!held) return;
    this.held.delete(repositoryId);
    await held.driver.stop();
    await releaseLease(this.deps.db, repositoryId, held.driver.epoch).catch(() => undefined);
    await this.deps.locks.release(held.lock);
    await this.deps.bus.publish({ kind: "released", repositoryId }).catch(() => undefined);
    this.counters.released.add(1);
    this.deps.log.info("released repository", { repository: held.driver.fullName, reason });
  }

  /** Ownership is gone (or unprovable): stop at once, write nothing more. */
  private async drop(repositoryId: string, reason: string): Promise<void> {
    const held = this.held.get(repositoryId);
    if (!held) return;
    this.held.delete(repositoryId);
    this.counters.lost.add(1, { reason });
    this.deps.log.warn("ownership lost: stopped driving repository", {
      repository: held.driver.fullName,
      epoch: held.driver.epoch,
      reason,
    });
    await held.driver.stop().catch(() => undefined);
    await this.deps.locks.release(held.lock).catch(() => undefined);
  }

  private onMessage(message: BusMessage): void {
    if (this.stopped) return;
    if (message.kind === "released" || message.kind === "tracked") {
      if (!this.held.has(message.repositoryId)) void this.tick();
      return;
    }
    const driver = this.driverFor(message.repositoryId);
    if (!driver) return;
    try {
      if (message.kind === "wake") {
        driver.send({
          type: "WAKE",
          reason: message.reason,
          now: this.now(),
          operationId: crypto.randomUUID(),
        });
      } else if (message.kind === "actor_event") {
        if (message.actorId === driver.actorId) driver.send(message.event);
        else driver.sendToOperation(message.actorId.replace(/^sync_operation:/, ""), message.event);
      }
    } catch (error) {
      this.deps.log.warn("could not deliver event", { repositoryId: message.repositoryId, error });
    }
  }

  /** SIGTERM: hand every repository over so another replica takes it at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.ticking;
    this.stopped = true;
    await Promise.all([...this.held.keys()].map((id) => this.release(id, "shutting down")));
    await this.deps.membership.leave().catch(() => undefined);
  }
}
