/**
 * Webhook ingestion throughput: accepted events per second with every one committed to webhook_events before
 * its 2xx, against Probot's createNodeMiddleware with a no-op app (which verifies and answers, storing nothing)
 * on the same signed example payloads and the same load. Then p99 at half our peak rate. Loopback only; the
 * load generator (autocannon) runs in its own process. Prints one JSON line; never pass/fail.
 *
 *   DATABASE_URL=postgres://… bun run bench/webhooks-throughput.ts     (PGlite when unset)
 *   BENCH_EVENTS=20000 BENCH_CONNECTIONS=50 to change the load.
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

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
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
const databaseUrl = process.env.DATABASE_URL ?? null;
let url = databaseUrl;
const dbName = `gt_bench_webhooks_${process.pid}`;
if (databaseUrl) {
  const admin = await openDatabase({ databaseUrl, dataDir: "", maxConnections: 1 });
  await admin.db.execute(sql.raw(`create database "${dbName}"`));
  await admin.close();
  const parsed = new URL(databaseUrl);
  parsed.pathname = `/${dbName}`;
  url = parsed.toString();
}
const database = await openDatabase({
  databaseUrl: url,
  dataDir: "",
  pgliteInMemory: true,
  maxConnections: 10,
});
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

const storedBefore = await stored();
const ourRun = await load(ours, EVENTS);
const committed = (await stored()) - storedBefore;
const baseRun = await load(baseline.url, EVENTS);
if (baseRun.non2xx > 0 && baselineKind === "probot") {
  baseline.proc.kill();
  baselineKind = "octokit";
  baselineNote = `probot answered ${baseRun.non2xx} non-2xx; @octokit/webhooks createNodeMiddleware instead`;
  baseline = await startBaseline("octokit");
}
const baseFinal = baselineKind === "probot" ? baseRun : await load(baseline.url, EVENTS);

// p99 at half our peak rate, over a bounded number of events.
const halfRate = Math.max(1, Math.round(ourRun.events_per_s / 2));
const halfRun = await load(ours, Math.min(EVENTS, halfRate * 5), halfRate);

baseline.proc.kill();
await server.stop(true);
await database.close();
if (databaseUrl) {
  const admin = await openDatabase({ databaseUrl, dataDir: "", maxConnections: 1 });
  await admin.db.execute(sql.raw(`drop database if exists "${dbName}" with (force)`));
  await admin.close();
}

console.log(
  JSON.stringify({
    bench: "webhooks-throughput",
    driver: database.driver,
    events: EVENTS,
    connections: CONNECTIONS,
    payloads: payloads.length,
    ours: {
      events_per_s: ourRun.events_per_s,
      p50_ms: ourRun.p50_ms,
      p99_ms: ourRun.p99_ms,
      accepted: ourRun.ok,
      non2xx: ourRun.non2xx,
      errors: ourRun.errors,
      committed_rows: committed,
      every_accepted_committed: committed === ourRun.ok,
    },
    baseline: {
      kind: baselineNote,
      events_per_s: baseFinal.events_per_s,
      p50_ms: baseFinal.p50_ms,
      p99_ms: baseFinal.p99_ms,
      non2xx: baseFinal.non2xx,
      errors: baseFinal.errors,
      stores_events: false,
    },
    ratio: Number((ourRun.events_per_s / Math.max(1, baseFinal.events_per_s)).toFixed(2)),
    half_peak: { rate_per_s: halfRate, events: halfRun.ok, p50_ms: halfRun.p50_ms, p99_ms: halfRun.p99_ms },
  }),
);
