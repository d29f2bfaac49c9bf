/**
 * Replicas as separate processes on one Postgres and one Redis, against the simulator over HTTP.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { count, eq, sql } from "drizzle-orm";
import { rowsOf } from "../../src/db/client.ts";
import { actorTransitions, githubIssues, repositories, syncOperations } from "../../src/db/schema.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { redisUrl } from "../support/services.ts";
import { waitFor } from "../support/wait.ts";

const enabled = redisUrl() !== null && process.env.DATABASE_URL !== undefined;

interface Lease {
  fullName: string;
  epoch: number;
  holder: string | null;
}

async function heldLease(cluster: Cluster): Promise<Lease | null> {
  const [lease] = await leases(cluster);
  return lease?.holder ? lease : null;
}

async function leases(cluster: Cluster): Promise<Lease[]> {
  return cluster.database.db
    .select({
      fullName: repositories.fullName,
      epoch: repositories.leaseEpoch,
      holder: repositories.leaseHolder,
    })
    .from(repositories)
    .orderBy(repositories.fullName);
}

describe.skipIf(!enabled)("replicas", () => {
  let cluster: Cluster | null = null;
  afterEach(async () => {
    await cluster?.close();
    cluster = null;
  });

  test("12 repositories over 3 replicas: each driven by exactly one, spread over several", async () => {
    const repos = Array.from({ length: 12 }, (_, i) => `octo-org/spread-${i}`);
    cluster = await startCluster({ repos, env: { LEASE_TTL_SECONDS: "3", SYNC_INTERVAL_SECONDS: "60" } });
    for (const repo of repos)
      cluster.sim.sim.control.seedRepository({ owner: "octo-org", name: repo.split("/")[1]!, issues: 5 });
    await Promise.all(["r1", "r2", "r3"].map((id) => cluster!.startReplica(id)));

    const settled = await waitFor(
      async () => {
        const rows = await leases(cluster!);
        const holders = new Set(rows.map((r) => r.holder));
        // Every repository held, by a live replica, and at least two replicas busy.
        return rows.length === 12 && rows.every((r) => r.holder) && holders.size >= 2 && rows;
      },
      { what: "all repositories to be driven", timeoutMs: 30_000 },
    );
    // Exactly one driver per repository: the actor rows agree with the lease, and each replica's API agrees.
    const actors = rowsOf<{ holder: string; n: number }>(
      await cluster.database.db.execute(
        sql`select holder, count(*)::int as n from actor_snapshots where kind = 'repository' group by holder`,
      ),
    );
    expect(actors.reduce((sum, a) => sum + a.n, 0)).toBe(12);
    const perHolder = new Map<string, number>();
    for (const row of settled) perHolder.set(row.holder!, (perHolder.get(row.holder!) ?? 0) + 1);
    expect([...perHolder.keys()].every((h) => ["r1", "r2", "r3"].includes(h))).toBe(true);
    console.log(`[figures] repositories per replica: ${JSON.stringify(Object.fromEntries(perHolder))}`);
  }, 60_000);

  test("kill -9 of the driving replica mid-pull: another takes over and the pull completes, nothing lost or doubled", async () => {
    cluster = await startCluster({
      repos: ["octo-org/big"],
      env: { LEASE_TTL_SECONDS: "2", SYNC_INTERVAL_SECONDS: "3600" },
    });
    const seeded = cluster.sim.sim.control.seedRepository({ owner: "octo-org", name: "big", issues: 1200 });
    expect(seeded.fullName).toBe("octo-org/big");
    // Slow pages so the kill lands mid-pull: the first page by name, the next ones by the repository id that
    // GitHub's Link headers use (without the second fault the later pages were fast and the pull could finish
    // between two looks).
    cluster.sim.sim.control.injectFault({ route: "/repos/octo-org/big/issues", latencyMs: 400 });
    cluster.sim.sim.control.injectFault({
      route: `/repositories/${seeded.repositoryId}/issues`,
      latencyMs: 400,
    });
    await cluster.startReplica("a");
    await cluster.startReplica("b");
    const db = cluster.database.db;

    const running = await waitFor(
      async () => {
        const [op] = await db
          .select()
          .from(syncOperations)
          .where(eq(syncOperations.repositoryFullName, "octo-org/big"));
        return op && op.pagesDone >= 3 && op.status === "running" && op;
      },
      { what: "the pull to be a few pages in", timeoutMs: 30_000 },
    );
    const [before] = await leases(cluster);
    const victim = cluster.replicas.get(before!.holder!)!;
    victim.proc.kill("SIGKILL");
    await victim.proc.exited;

    const after = await waitFor(
      async () => {
        const [lease] = await leases(cluster!);
        return lease && lease.epoch > before!.epoch && lease.holder !== before!.holder && lease;
      },
      { what: "another replica to take over", timeoutMs: 20_000 },
    );
    expect(after.holder).not.toBe(before!.holder);

    const done = await waitFor(
      async () => {
        const [op] = await db.select().from(syncOperations).where(eq(syncOperations.id, running.id));
        return op?.status === "completed" && op;
      },
      { what: "the same operation to complete", timeoutMs: 60_000 },
    );
    expect(done.pagesDone).toBeGreaterThanOrEqual(12);
    const simRepo = cluster.sim.sim.state.repos.get(seeded.repositoryId)!;
    const expected = [...simRepo.issues.values()].filter((issue) => issue.pullRequest === null).length;
    const [{ total } = { total: 0 }] = await db
      .select({ total: count() })
      .from(githubIssues)
      .where(eq(githubIssues.repositoryFullName, "octo-org/big"));
    const [{ distinct } = { distinct: 0 }] = rowsOf<{ distinct: number }>(
      await db.execute(
        sql`select count(distinct number)::int as distinct from github_issues where repository_full_name = 'octo-org/big'`,
      ),
    );
    expect(total).toBe(distinct);
    expect(total).toBe(expected);
    expect(total).toBeGreaterThan(1000);
    // The transition log shows the hand-over: the same operation resumed under the new epoch.
    const epochs = rowsOf<{ epoch: number }>(
      await db.execute(
        sql`select distinct epoch from actor_transitions where actor_id = ${`sync_operation:${running.id}`} order by epoch`,
      ),
    ).map((r) => Number(r.epoch));
    expect(epochs).toEqual([before!.epoch, after.epoch]);
  }, 120_000);

  test("a replica paused past its lease is fenced out on resume and stops driving", async () => {
    cluster = await startCluster({
      repos: ["octo-org/paused"],
      env: { LEASE_TTL_SECONDS: "2", SYNC_INTERVAL_SECONDS: "1" },
    });
    cluster.sim.sim.control.seedRepository({ owner: "octo-org", name: "paused", issues: 20 });
    await cluster.startReplica("p1");
    await cluster.startReplica("p2");
    const db = cluster.database.db;
    const first = await waitFor(() => heldLease(cluster!), { what: "a driver", timeoutMs: 20_000 });
    const paused = cluster.replicas.get(first!.holder!)!;
    paused.proc.kill("SIGSTOP");
    const taken = await waitFor(
      async () => {
        const [lease] = await leases(cluster!);
        return lease && lease.epoch > first!.epoch && lease;
      },
      { what: "the other replica to take over", timeoutMs: 20_000 },
    );
    // Let the new owner make progress under its epoch.
    await waitFor(
      async () => {
        const [row] = await db
          .select({ n: count() })
          .from(actorTransitions)
          .where(eq(actorTransitions.epoch, taken.epoch));
        return (row?.n ?? 0) >= 3;
      },
      { what: "transitions under the new epoch", timeoutMs: 20_000 },
    );
    paused.proc.kill("SIGCONT");
    // It notices (its lock, epoch or fenced write tells it) and stops driving; or, when the pause landed inside
    // a transaction that Postgres ended meanwhile (idle_in_transaction_session_timeout), postgres.js may throw
    // on the dead socket and the process exits, to be restarted by its supervisor. Either way it drives no more.
    await waitFor(() => paused.output().includes("ownership lost") || paused.proc.exitCode !== null, {
      what: "the paused replica to notice",
      timeoutMs: 20_000,
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; its last output: ${paused.output().slice(-1500)}`);
    });

    // Every write under the old epoch precedes every write under the new one: nothing of the paused replica
    // landed after the takeover, although it resumed with due deadlines and a stale lock.
    const [bounds] = rowsOf<{ old_last: string; new_first: string; old_count: number }>(
      await db.execute(sql`select
        (select max(at) from actor_transitions where epoch = ${first!.epoch})::text as old_last,
        (select min(at) from actor_transitions where epoch = ${taken.epoch})::text as new_first,
        (select count(*)::int from actor_transitions where epoch = ${first!.epoch}) as old_count`),
    );
    expect(bounds!.old_count).toBeGreaterThan(0);
    expect(new Date(bounds!.old_last).getTime()).toBeLessThan(new Date(bounds!.new_first).getTime());
    const [lease] = await leases(cluster);
    expect(lease?.holder).toBe(taken.holder);
    expect(lease?.epoch).toBe(taken.epoch);
  }, 90_000);

  test("SIGTERM hands the repository over at once, not after the lease runs out", async () => {
    // A long lease: a hand-over that waited for expiry would take 60 s.
    cluster = await startCluster({
      repos: ["octo-org/handover"],
      env: { LEASE_TTL_SECONDS: "60", SYNC_INTERVAL_SECONDS: "3600" },
    });
    cluster.sim.sim.control.seedRepository({ owner: "octo-org", name: "handover", issues: 10 });
    await cluster.startReplica("h1");
    await cluster.startReplica("h2");
    const first = await waitFor(() => heldLease(cluster!), { what: "a driver", timeoutMs: 20_000 });
    const leaving = cluster.replicas.get(first!.holder!)!;
    const t0 = performance.now();
    leaving.proc.kill("SIGTERM");
    const next = await waitFor(
      async () => {
        const [lease] = await leases(cluster!);
        return lease?.holder && lease.epoch > first!.epoch ? lease : null;
      },
      { what: "the other replica to take over", timeoutMs: 15_000 },
    );
    console.log(`[figures] SIGTERM hand-over took ${Math.round(performance.now() - t0)} ms`);
    expect(next.holder).not.toBe(first!.holder);
    expect(await leaving.proc.exited).toBe(0);
  }, 60_000);

  test("an operator action sent to any replica reaches the owner and is logged there", async () => {
    // Operator actions are writes: they need a bearer token (and then reads do too).
    const auth = { authorization: "Bearer ops-token" };
    cluster = await startCluster({
      repos: ["octo-org/ops"],
      env: { LEASE_TTL_SECONDS: "5", SYNC_INTERVAL_SECONDS: "3600", API_TOKENS: "ops-token" },
    });
    cluster.sim.sim.control.seedRepository({ owner: "octo-org", name: "ops", issues: 5 });
    await cluster.startReplica("o1");
    await cluster.startReplica("o2");
    const owner = await waitFor(() => heldLease(cluster!), { what: "a driver", timeoutMs: 20_000 });
    const other = cluster.replicas.get(owner.holder === "o1" ? "o2" : "o1")!;
    const actor = await waitFor(
      async () => {
        const list = (await (
          await fetch(`${other.url}/api/v1/actors?kind=repository`, { headers: auth })
        ).json()) as {
          data: { id: string; state: string }[];
        };
        return list.data[0]?.state === "idle" && list.data[0];
      },
      { what: "the first sync to finish", timeoutMs: 20_000 },
    );
    const res = await fetch(`${other.url}/api/v1/actors/${actor.id}/events`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ type: "pause" }),
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { delivered_to: string }).delivered_to).toBe(owner.holder!);
    const paused = await waitFor(
      async () => {
        const log = (await (
          await fetch(`${other.url}/api/v1/actors/${actor.id}/transitions?per_page=1`, { headers: auth })
        ).json()) as {
          data: { event: string; to: string; holder: string; event_summary: Record<string, unknown> }[];
        };
        return log.data[0]?.to === "paused" && log.data[0];
      },
      { what: "the owner to pause the actor", timeoutMs: 10_000 },
    );
    expect(paused).toMatchObject({
      event: "PAUSE",
      holder: owner.holder!,
      event_summary: { source: "operator" },
    });
    // Unknown actions and unknown actors are refused with problem+json.
    const bad = await fetch(`${other.url}/api/v1/actors/${actor.id}/events`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ type: "explode" }),
    });
    expect(bad.status).toBe(422);
    const missing = await fetch(
      `${other.url}/api/v1/actors/repository:00000000-0000-4000-8000-000000000000/events`,
      {
        method: "POST",
        headers: { "content-type": "application/json", ...auth },
        body: JSON.stringify({ type: "pause" }),
      },
    );
    expect(missing.status).toBe(404);
  }, 60_000);
});
