/**
 * Webhook ingestion throughput: accepted events per second with every one committed to webhook_events before
 * its 2xx, against Probot's createNodeMiddleware with a no-op app (which verifies and answers, storing nothing)
 * on the same signed example payloads, the same generator and the same concurrency. Rounds alternate (ours,
 * Probot, ours, …) and each side is reported by its median round; then p99 at half our peak rate. Every
 * accepted event is counted back in webhook_events. Loopback only; the load generator runs in its own process
 * (its CPU is printed: it shares the machine). Prints one JSON line; never pass/fail.
 *
 *   DATABASE_URL=postgres://… bun run bench/webhooks-throughput.ts     (PGlite when unset)
 *   BENCH_EVENTS=20000 (per round) BENCH_ROUNDS=3 BENCH_CONNECTIONS=50 to change the load.
 *
 * THE 2x-PROBOT GOAL IS NOT REACHED ON A 2-CORE MACHINE, and cannot be with durable commits. Measured here (Bun
 * 1.4.5, Postgres 15 with synchronous_commit=on, 2 cores shared by server, Postgres and generator, ~10.5 KB
 * payloads; other work on the machine made single rounds vary by ±20%):
 *   - before (jsonb payload, Drizzle-built VALUES statement of a new shape per batch size, 4 commits in flight):
 *     ~3,700 events/s, p99 28 ms, vs Probot ~12,900/s → ratio 0.29;
 *   - after (text payload stored inline with lz4, power-of-two padded prepared statement sent straight to the
 *     driver, 2 commits in flight): ~10,000-10,600 events/s, p50 4.6 ms, p99 9-10 ms, vs Probot ~15-16,000/s
 *     → ratio ~0.65; p99 at half our peak ~10-12 ms (goal < 50 ms: met).
 *   - ceiling: the same receiver with the commit replaced by a no-op does ~22,000/s against Probot's ~15,000/s
 *     (ratio ~1.5), so even storing nothing the HTTP path (Bun.serve + Elysia + HMAC + JSON.parse) is not 2x
 *     Probot while sharing 2 cores with the generator. What the commit adds is CPU on the same 2 cores: the
 *     Postgres backends (insert, lz4, WAL of ~4 KB per event, 4 index inserts; seen at 30-70% of one core) and
 *     the driver's ~0.5 MB of parameters per batch in our process. WAL fsync rate is not the limit (group
 *     commit: one flush per batch of ~25 events; iowait stayed under 1%).
 */

import { sign } from "@octokit/webhooks-methods";
import { count, sql } from "drizzle-orm";
import { createApp } from "../src/api/app.ts";
import { parseConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { ensureRepositories } from "../src/db/queries/repositories.ts";
import { webhookEvents } from "../src/db/schema.ts";
import { silentLogger } from "../src/logger.ts";
import { readVersion } from "../src/version.ts";
import { benchDatabase } from "./_bench-db.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SECRET = "bench-secret";
const dir = new URL(".", import.meta.url).pathname;

// Real payloads from GitHub (@octokit/webhooks-examples), signed once each.
const index = (await Bun.file(
  new URL("../node_modules/@octokit/webhooks-examples/api.github.com/index.json", import.meta.url).pathname,
).json()) as { name: string; examples: Record<string, unknown>[] }[];
const examples = index
  .filter((e) => ["issues", "label", "milestone"].includes(e.name))
  .flatMap((e) => e.examples.map((payload) => ({ event: e.name, body: JSON.stringify(payload) })));
const payloads = await Promise.all(
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
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  events_per_s: number;
  p50_ms: number;
  p99_ms: number;
  cpu_s: number;
}

async function load(target: string, amount: number, rate?: number): Promise<LoadResult> {
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

async function startBaseline(kind: "probot" | "octokit") {
  const proc = Bun.spawn(["bun", "run", `${dir}_webhooks-probot-server.ts`], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, WEBHOOK_SECRET: SECRET, BASELINE: kind },
  });
  const reader = proc.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`${kind} baseline exited: ${await new Response(proc.stderr).text()}`);
    text += new TextDecoder().decode(value);
  }
  return { proc, url: text.trim() };
}

const stored = async () => (await database.db.select({ n: count() }).from(webhookEvents))[0]?.n ?? 0;

// Warm up both (JIT, connection pools), then measure.
await load(ours, 1000);
let baselineKind: "probot" | "octokit" = "probot";
let baselineNote = "probot createNodeMiddleware, no-op app, node:http under Bun";
let baseline = await startBaseline("probot").catch(async (error: unknown) => {
  baselineKind = "octokit";
  baselineNote = `probot failed to start under Bun (${String(error).slice(0, 200)}); @octokit/webhooks createNodeMiddleware instead`;
  return startBaseline("octokit");
});
await load(baseline.url, 1000);

// Alternate rounds (ours, baseline, ours, …) so that load from anything else on the machine hits both sides
// alike; each side is reported by its median round.
const storedBefore = await stored();
const ourRuns: LoadResult[] = [];
const baseRuns: LoadResult[] = [];
for (let round = 0; round < ROUNDS; round++) {
  ourRuns.push(await load(ours, EVENTS));
  let baseRun = await load(baseline.url, EVENTS);
  if (baseRun.non2xx > 0 && baselineKind === "probot") {
    baseline.proc.kill();
    baselineKind = "octokit";
    baselineNote = `probot answered ${baseRun.non2xx} non-2xx; @octokit/webhooks createNodeMiddleware instead`;
    baseline = await startBaseline("octokit");
    baseRuns.length = 0;
    baseRun = await load(baseline.url, EVENTS);
  }
  baseRuns.push(baseRun);
}
const committed = (await stored()) - storedBefore;
const accepted = ourRuns.reduce((n, r) => n + r.ok, 0);
const median = (runs: LoadResult[]) =>
  [...runs].sort((x, y) => x.events_per_s - y.events_per_s)[Math.floor(runs.length / 2)]!;
const ourRun = median(ourRuns);
const baseFinal = median(baseRuns);

// p99 at half our peak rate, over a bounded number of events.
const halfRate = Math.max(1, Math.round(ourRun.events_per_s / 2));
const storedBeforeHalf = await stored();
const halfRun = await load(ours, Math.min(EVENTS, halfRate * 5), halfRate);
const halfCommitted = (await stored()) - storedBeforeHalf;

baseline.proc.kill();
await server.stop(true);
await database.drop();

const rates = (runs: LoadResult[]) => runs.map((r) => r.events_per_s);
console.log(
  JSON.stringify({
    bench: "webhooks-throughput",
    driver: database.driver,
    events_per_round: EVENTS,
    rounds: ROUNDS,
    connections: CONNECTIONS,
    payloads: payloads.length,
    payload_bytes_avg: Math.round(payloads.reduce((n, p) => n + p.body.length, 0) / payloads.length),
    ours: {
      events_per_s: ourRun.events_per_s,
      p50_ms: ourRun.p50_ms,
      p99_ms: ourRun.p99_ms,
      rounds_events_per_s: rates(ourRuns),
      accepted,
      non2xx: ourRuns.reduce((n, r) => n + r.non2xx, 0),
      errors: ourRuns.reduce((n, r) => n + r.errors, 0),
      committed_rows: committed,
      every_accepted_committed: committed === accepted,
      generator_cpu_s: ourRun.cpu_s,
    },
    baseline: {
      kind: baselineNote,
      events_per_s: baseFinal.events_per_s,
      p50_ms: baseFinal.p50_ms,
      p99_ms: baseFinal.p99_ms,
      rounds_events_per_s: rates(baseRuns),
      non2xx: baseRuns.reduce((n, r) => n + r.non2xx, 0),
      errors: baseRuns.reduce((n, r) => n + r.errors, 0),
      stores_events: false,
      generator_cpu_s: baseFinal.cpu_s,
    },
    ratio: Number((ourRun.events_per_s / Math.max(1, baseFinal.events_per_s)).toFixed(2)),
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
