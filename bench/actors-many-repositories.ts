/**
 * 1,000 tracked repositories on one replica: how much memory the runtime takes and how many transitions per
 * second it persists while every repository does its first sync against the simulator over HTTP.
 * Baseline, measured in the same run on the same database: bare transactions that each write one snapshot row
 * and one transition row (no XState, no GitHub). Prints one JSON line; never pass/fail.
 *
 *   DATABASE_URL=postgres://… bun run bench/actors-many-repositories.ts     (PGlite when unset)
 *   BENCH_REPOS=200 to try a smaller set.
 */
import { sql } from "drizzle-orm";
import { startRuntime } from "../src/actors/runtime.ts";
import { rowsOf } from "../src/db/client.ts";
import { ensureRepositories } from "../src/db/queries/repositories.ts";
import { createGitHubClient } from "../src/github/client.ts";
import { createGitHubApi } from "../src/github/github-api.ts";
import { RateBudget } from "../src/github/rate-budget.ts";
import { createSyncEngine } from "../src/github/sync-engine.ts";
import { silentLogger } from "../src/logger.ts";
import { benchDatabase } from "./_bench-db.ts";
import { startSimProcess } from "./_sim-process.ts";

const REPOS = Number(process.env.BENCH_REPOS ?? 1000);
const BASELINE_TX = 2000;

const database = await benchDatabase("gt_bench_actors");
const db = database.db;

// Baseline: the same two rows per transaction, written as fast as one connection allows.
await db.execute(
  sql`create temporary table if not exists bench_snap (id text primary key, snapshot jsonb, seq int)`,
);
await db.execute(
  sql`create temporary table if not exists bench_log (id bigserial primary key, actor text, seq int, at timestamptz default now())`,
);
const payload = JSON.stringify({ status: "active", value: "idle", context: { a: 1, b: "x".repeat(200) } });
const b0 = performance.now();
for (let i = 0; i < BASELINE_TX; i++) {
  await db.transaction(async (tx) => {
    await tx.execute(
      sql`insert into bench_snap values (${`a${i % 100}`}, ${payload}::jsonb, 1) on conflict (id) do update set snapshot = excluded.snapshot, seq = bench_snap.seq + 1`,
    );
    await tx.execute(sql`insert into bench_log (actor, seq) values (${`a${i % 100}`}, 1)`);
  });
}
const baselinePerSec = BASELINE_TX / ((performance.now() - b0) / 1000);

// The simulator in its own process, so this replica's RSS is the replica's alone.
const sim = await startSimProcess();
await sim.control("setRateLimit", { limit: 1e9, windowSeconds: 3600 });
await sim.control("setSecondaryLimits", {
  restPointsPerMinute: 1e9,
  graphqlPointsPerMinute: 1e9,
  maxConcurrent: 1e6,
});
const names = Array.from({ length: REPOS }, (_, i) => `bench-org/repo-${i}`);
for (const name of names) {
  await sim.control("seedRepository", {
    owner: "bench-org",
    name: name.split("/")[1]!,
    issues: 3,
    milestones: 0,
    labels: 0,
  });
}
await ensureRepositories(db, names);

const client = createGitHubClient({ baseUrl: sim.url, auth: { kind: "token", token: "sim-token" } });
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const runtime = await startRuntime({
  db,
  log: silentLogger,
  engine: createSyncEngine({
    db,
    log: silentLogger,
    api: createGitHubApi({ db, budget: new RateBudget(), client }),
    client,
  }),
  redisUrl: null,
  replicaId: "bench",
  leaseTtlMs: 60_000,
  pollIntervalMs: 3_600_000,
  historyDays: 30,
});
const startMs = performance.now() - t0;

const deadline = Date.now() + 10 * 60_000;
let idle = 0;
while (Date.now() < deadline) {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(
      sql`select count(*)::int as n from actor_snapshots where kind = 'repository' and state_value = 'idle' and seq > 1`,
    ),
  );
  idle = row?.n ?? 0;
  if (idle >= REPOS) break;
  await new Promise((resolve) => setTimeout(resolve, 250));
}
const elapsed = (performance.now() - t0) / 1000;
const [counts] = rowsOf<{ transitions: number }>(
  await db.execute(sql`select count(*)::int as transitions from actor_transitions`),
);
const transitions = counts?.transitions ?? 0;
// Steady state: collect what the first syncs left behind before reading RSS (what a long-running replica holds).
Bun.gc(true);
const heap = process.memoryUsage();
const rss = heap.rss;

await runtime.stop();
sim.stop();
await database.drop();

const transitionsPerSec = transitions / elapsed;
console.log(
  JSON.stringify({
    bench: "actors-many-repositories",
    driver: database.driver,
    repositories: REPOS,
    synced: idle,
    runtime_start_ms: Math.round(startMs),
    first_sync_all_s: Number(elapsed.toFixed(2)),
    transitions,
    transitions_per_s: Math.round(transitionsPerSec),
    baseline_bare_tx_per_s: Math.round(baselinePerSec),
    ratio_to_baseline: Number((transitionsPerSec / baselinePerSec).toFixed(2)),
    rss_mb: Math.round(rss / 1048576),
    rss_growth_mb: Math.round((rss - rssBefore) / 1048576),
    heap_used_mb: Math.round(heap.heapUsed / 1048576),
    goal_rss_mb: 300,
  }),
);
process.exit(0);
