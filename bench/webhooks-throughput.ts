/**
 * Webhook ingestion throughput: accepted events per second with every one committed to webhook_events before
 * its 2xx, against Probot's createNodeMiddleware with a no-op app (which verifies and answers, storing nothing)
 * on the same signed example payloads, the same generator and the same concurrency. Probot runs twice: on Node,
 * its own runtime, and on Bun; the ratio is taken against the faster of the two. Rounds alternate (ours,
 * Probot on Bun, Probot on Node, ours, …) and each side is reported by its median round; then p99 at half our
 * peak rate. Every accepted event is counted back in webhook_events. Loopback only.
 *
 * The generator is wrk when installed (`apt-get install wrk`: a few µs of CPU per request), else a Bun fetch
 * loop in its own process (much heavier: it takes CPU from whichever server it measures).
 *
 * Where the cores go: CPU µs per event of our server, of Postgres (all its processes: backends, WAL writer),
 * of each baseline and of the generator, read from /proc. From those, `ceiling` gives the best rate each side
 * could reach on this machine's cores (a JavaScript server is one thread: at most one core; Postgres works on
 * the others), so the best ratio the hardware allows is printed beside the ratio measured.
 *
 *   DATABASE_URL=postgres://… bun run bench/webhooks-throughput.ts     (PGlite when unset)
 *   BENCH_SECONDS=8 (per round, wrk) BENCH_EVENTS=20000 (per round, Bun generator) BENCH_ROUNDS=3
 *   BENCH_CONNECTIONS=50 to change the load.
 *
 * THE 2x-PROBOT GOAL IS NOT REACHED ON THE 2-CORE MACHINE THIS PROJECT RUNS ON, and the CPU figures say why.
 * Measured 2026-12-02 (Bun 1.4.5, Postgres 15 with synchronous_commit=on, 2 vCPUs of a nested VM where every
 * syscall and page fault is expensive, ~10.5 KB payloads, wrk, medians of 3 rounds): Probot ~6,100 events/s
 * on Bun and on Node at ~170 µs of CPU per event (its whole path, one thread); ours ~4,100 events/s (rounds
 * 3,300-5,400), p50 10 ms, at ~185 µs in our process plus ~95 µs in Postgres: ratio 0.68, best possible from
 * those CPU figures 0.93 (our request thread is the bound). 2x Probot means ~12,000 events/s, i.e. at most
 * ~165 µs of CPU per event across both cores: less than Probot's no-op path alone, while ours must also ship
 * each 10 KB payload to Postgres (~50 µs in the driver, mostly building and writing the Bind message) and
 * have Postgres store it (~90 µs: lz4, WAL, 3 indexes). p99 at half our peak: ~48 ms (goal < 50 ms).
 * Measured without the commit (writer replaced by a no-op), our receiver alone does ~10-13,000 events/s
 * against Probot's ~7,000: the HTTP path is ~1.6x Probot before any storage. History of what was tried:
 *   - jsonb payload, Drizzle-built VALUES per batch size, 4 commits in flight: ratio 0.29;
 *   - text payload stored inline with lz4, padded prepared statement straight to the driver: ratio ~0.65 on a
 *     faster host, ~0.45 here;
 *   - one commit in flight instead of two: bigger batches, ~18% more events/s here (less CPU per event on both
 *     sides);
 *   - tried and dropped: COPY into webhook_events (extra round trips for the duplicate and repository checks
 *     cost more than the cheaper insert), Bun's built-in SQL client for the hot insert (less client CPU, but
 *     Postgres spent more per event and the total did not move), no foreign key or fewer indexes (<5%), the
 *     group-commit writer on a Worker thread so the request thread keeps one core (structured clones of each
 *     payload and cross-thread wake-ups cost more than they moved: ~365 vs ~200 µs per event in our process),
 *     the batch as two parameters (small fields as one JSON array, payloads joined by U+001E; a micro-bench
 *     showed 30 µs less per event in the driver, but A/B through HTTP both sides spent 10-15 µs more).
 */

import { sign } from "@octokit/webhooks-methods";
import { count, sql } from "drizzle-orm";
import { createApp } from "../src/api/app.ts";
import { parseConfig } from "../src/config.ts";
import { rowsOf } from "../src/db/client.ts";
import { ensureRepositories } from "../src/db/queries/repositories.ts";
import { webhookEvents } from "../src/db/schema.ts";
import { silentLogger } from "../src/logger.ts";
import { readVersion } from "../src/version.ts";
import { benchDatabase } from "./_bench-db.ts";
import { type CpuSnapshot, cpuSnapshot, cpuSpent } from "./_process-cpu.ts";
import { type SignedPayload, wrkAvailable, wrkLoad } from "./_webhooks-wrk.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SECRET = "bench-secret";
const dir = new URL(".", import.meta.url).pathname;
const useWrk = wrkAvailable();
const cores = navigator.hardwareConcurrency;

// Real payloads from GitHub (@octokit/webhooks-examples), signed once each.
const index = (await Bun.file(
  new URL("../node_modules/@octokit/webhooks-examples/api.github.com/index.json", import.meta.url).pathname,
).json()) as { name: string; examples: Record<string, unknown>[] }[];
const examples = index
  .filter((e) => ["issues", "label", "milestone"].includes(e.name))
  .flatMap((e) => e.examples.map((payload) => ({ event: e.name, body: JSON.stringify(payload) })));
const payloads: SignedPayload[] = await Promise.all(
  examples.map(async (e) => ({ ...e, signature: await sign(SECRET, e.body) })),
);
const repositoryNames = [
  ...new Set(
    examples.map((e) =>
      String(
        (JSON.parse(e.body) as { repository: { full_name: string } }).repository.full_name,
      ).toLowerCase(),
    ),
  ),
];

// A database of its own on Postgres, dropped at the end; in-memory PGlite otherwise.
const database = await benchDatabase("gt_bench_webhooks");
await ensureRepositories(database.db, repositoryNames);
const configResult = parseConfig({ GITHUB_WEBHOOK_SECRET: SECRET });
if (!configResult.ok) throw new Error(configResult.errors.join("\n"));
const app = createApp(
  { db: database.db, database, config: configResult.config, log: silentLogger },
  readVersion(),
);
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => app.handle(req) });
const ours = `http://127.0.0.1:${server.port}/api/v1/webhooks/github`;

interface LoadResult {
  ok: number;
  non2xx: number;
  errors: number;
  events_per_s: number;
  p50_ms: number;
  p99_ms: number;
  cpu_s: number;
}

/** The Bun generator: a fixed count, optionally at a fixed rate (open loop). */
async function bunLoad(target: string, amount: number, rate?: number): Promise<LoadResult> {
  const input = JSON.stringify({ url: target, payloads, connections: CONNECTIONS, amount, rate });
  const proc = Bun.spawn(["bun", "run", `${dir}_webhooks-load.ts`], {
    stdin: new Blob([input]),
    stdout: "pipe",
    stderr: "inherit",
  });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`load generator failed: ${out}`);
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as LoadResult;
}

let nonce = 0;
const load = (target: string): Promise<LoadResult> =>
  useWrk
    ? wrkLoad(target, payloads, {
        connections: CONNECTIONS,
        seconds: SECONDS,
        nonce: `r${nonce++}-${process.pid}`,
      })
    : bunLoad(target, EVENTS);

interface Baseline {
  kind: string;
  url: string;
  pid: number;
  stop(): void;
}

async function startBaseline(runtime: "bun" | "node", kind: "probot" | "octokit"): Promise<Baseline> {
  const proc = Bun.spawn([runtime, `${dir}_webhooks-probot-server.mjs`], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, WEBHOOK_SECRET: SECRET, BASELINE: kind },
  });
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${kind} on ${runtime} exited: ${await new Response(proc.stderr).text()}`);
    text += new TextDecoder().decode(value);
  }
  return { kind: `${kind} on ${runtime}`, url: text.trim(), pid: proc.pid, stop: () => proc.kill() };
}

/** Probot, or @octokit/webhooks' own middleware when Probot does not start or answers non-2xx. */
async function baselineOn(runtime: "bun" | "node"): Promise<Baseline> {
  const probot = await startBaseline(runtime, "probot").catch(() => null);
  if (probot) {
    const check = await bunLoad(probot.url, 200);
    if (check.non2xx === 0 && check.errors === 0) return probot;
    probot.stop();
  }
  return startBaseline(runtime, "octokit");
}

// Every Postgres process that could work for us: our backends and the shared ones (WAL writer, checkpointer).
async function postgresPids(): Promise<number[]> {
  if (database.driver !== "postgres") return [];
  const rows = rowsOf<{ pid: number }>(
    await database.db.execute(
      sql`select pid from pg_stat_activity where datname = current_database() or datname is null`,
    ),
  );
  return rows.map((r) => r.pid);
}

interface Measured extends LoadResult {
  cpu_us_per_event: { server: number | null; postgres: number | null; generator: number | null };
}

const perEvent = (seconds: number | null, events: number) =>
  seconds === null || events === 0 ? null : Math.round((seconds * 1e6) / events);

async function measure(target: string, serverCpu: () => number | null, withPostgres: boolean) {
  const pgBefore: CpuSnapshot = withPostgres ? cpuSnapshot(await postgresPids()) : new Map();
  const serverBefore = serverCpu();
  const result = await load(target);
  const serverAfter = serverCpu();
  const pgAfter = withPostgres ? cpuSnapshot(await postgresPids()) : new Map();
  const measured: Measured = {
    ...result,
    cpu_us_per_event: {
      server: perEvent(
        serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore,
        result.ok,
      ),
      postgres: withPostgres ? perEvent(cpuSpent(pgBefore, pgAfter), result.ok) : null,
      generator: perEvent(result.cpu_s, result.ok),
    },
  };
  return measured;
}

const ownCpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
const stored = async () => (await database.db.select({ n: count() }).from(webhookEvents))[0]?.n ?? 0;

const baselines: Baseline[] = [await baselineOn("bun")];
if (Bun.which("node")) baselines.push(await baselineOn("node"));
const baselineCpu = (b: Baseline) => () => cpuSnapshot([b.pid]).get(b.pid) ?? null;

// Warm up every server (JIT, connection pools), then measure.
await bunLoad(ours, 1000);
for (const b of baselines) await bunLoad(b.url, 1000);

// Alternate rounds so that load from anything else on the machine hits every side alike.
const storedBefore = await stored();
const ourRuns: Measured[] = [];
const baseRuns: Measured[][] = baselines.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  ourRuns.push(await measure(ours, ownCpu, true));
  for (const [i, b] of baselines.entries()) baseRuns[i]!.push(await measure(b.url, baselineCpu(b), false));
}
const committed = (await stored()) - storedBefore;
const accepted = ourRuns.reduce((n, r) => n + r.ok, 0);
const median = (runs: Measured[]) =>
  [...runs].sort((x, y) => x.events_per_s - y.events_per_s)[Math.floor(runs.length / 2)]!;
const ourRun = median(ourRuns);
const baseMedians = baseRuns.map(median);
const bestIndex = baseMedians.reduce(
  (best, r, i, all) => (r.events_per_s > all[best]!.events_per_s ? i : best),
  0,
);
const best = baseMedians[bestIndex]!;

// p99 at half our peak rate (open loop, so the Bun generator: wrk cannot hold a rate), bounded in events.
const halfRate = Math.max(1, Math.round(ourRun.events_per_s / 2));
const storedBeforeHalf = await stored();
const halfRun = await bunLoad(ours, Math.min(EVENTS, halfRate * 5), halfRate);
const halfCommitted = (await stored()) - storedBeforeHalf;

for (const b of baselines) b.stop();
await server.stop(true);
await database.drop();

// The best rate a side could reach on this machine at the CPU per event measured: one JavaScript thread uses
// at most one core; Postgres works beside it on the rest.
const ourCpu = ourRun.cpu_us_per_event;
const ourCeiling =
  ourCpu.server === null
    ? null
    : Math.round(Math.min(1e6 / ourCpu.server, (cores * 1e6) / (ourCpu.server + (ourCpu.postgres ?? 0))));
const baseCeiling =
  best.cpu_us_per_event.server === null ? null : Math.round(1e6 / best.cpu_us_per_event.server);

const side = (runs: Measured[], r: Measured) => ({
  events_per_s: r.events_per_s,
  p50_ms: r.p50_ms,
  p99_ms: r.p99_ms,
  rounds_events_per_s: runs.map((x) => x.events_per_s),
  non2xx: runs.reduce((n, x) => n + x.non2xx, 0),
  errors: runs.reduce((n, x) => n + x.errors, 0),
  cpu_us_per_event: r.cpu_us_per_event,
});

console.log(
  JSON.stringify({
    bench: "webhooks-throughput",
    driver: database.driver,
    generator: useWrk ? "wrk" : "bun fetch loop",
    cores,
    rounds: ROUNDS,
    connections: CONNECTIONS,
    payloads: payloads.length,
    payload_bytes_avg: Math.round(payloads.reduce((n, p) => n + p.body.length, 0) / payloads.length),
    ours: {
      ...side(ourRuns, ourRun),
      accepted,
      committed_rows: committed,
      // wrk stops at a deadline without counting the answers still in flight, whose events are committed too.
      every_accepted_committed: committed >= accepted,
    },
    baselines: baselines.map((b, i) => ({
      kind: b.kind,
      stores_events: false,
      ...side(baseRuns[i]!, baseMedians[i]!),
    })),
    ratio: Number((ourRun.events_per_s / Math.max(1, best.events_per_s)).toFixed(2)),
    ratio_against: baselines[bestIndex]!.kind,
    ceiling: {
      ours_events_per_s: ourCeiling,
      baseline_events_per_s: baseCeiling,
      best_possible_ratio:
        ourCeiling === null || baseCeiling === null ? null : Number((ourCeiling / baseCeiling).toFixed(2)),
    },
    half_peak: {
      rate_per_s: halfRate,
      events: halfRun.ok,
      non2xx: halfRun.non2xx + halfRun.errors,
      every_accepted_committed: halfCommitted === halfRun.ok,
      p50_ms: halfRun.p50_ms,
      p99_ms: halfRun.p99_ms,
    },
  }),
);
