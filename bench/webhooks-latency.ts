/**
 * Webhook accepted → change visible through GET /api/v1/issues/{id}, at 100 events/s (open loop: each event
 * starts on its slot), applied by the repository's actor through the real runtime. Loopback only.
 * Prints one JSON line; never pass/fail.
 *
 *   DATABASE_URL=postgres://… bun run bench/webhooks-latency.ts     (PGlite when unset)
 *   BENCH_EVENTS=1000 BENCH_RATE=100 to change the run.
 */

import { sign } from "@octokit/webhooks-methods";
import { eq } from "drizzle-orm";
import { type Runtime, startRuntime } from "../src/actors/runtime.ts";
import { createApp } from "../src/api/app.ts";
import { parseConfig } from "../src/config.ts";
import { ensureRepositories } from "../src/db/queries/repositories.ts";
import { githubIssues } from "../src/db/schema.ts";
import { createGitHubClient } from "../src/github/client.ts";
import { createGitHubApi } from "../src/github/github-api.ts";
import { RateBudget } from "../src/github/rate-budget.ts";
import { createSyncEngine } from "../src/github/sync-engine.ts";
import { silentLogger } from "../src/logger.ts";
import { readVersion } from "../src/version.ts";
import { benchDatabase } from "./_bench-db.ts";
import { startSimProcess } from "./_sim-process.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECRET = "bench-secret";

const index = (await Bun.file(
  new URL("../node_modules/@octokit/webhooks-examples/api.github.com/index.json", import.meta.url).pathname,
).json()) as { name: string; examples: Record<string, unknown>[] }[];
const opened = index.find((e) => e.name === "issues")!.examples.find((p) => p.action === "opened")!;
const fullName = String((opened.repository as { full_name: string }).full_name).toLowerCase();

const database = await benchDatabase("gt_bench_webhooks_latency");
const db = database.db;
await ensureRepositories(db, [fullName]);
// The real runtime: the repository's actor applies stored events on each webhook wake. GitHub is the simulator
// in its own process, holding the example's repository, so the actor's own polls succeed and it rests in idle.
const sim = await startSimProcess();
const [simOwner = "", simName = ""] = fullName.split("/");
// No issues of its own: the example issue is the only one, so numbers cannot collide.
await sim.control("seedRepository", { owner: simOwner, name: simName, issues: 0, milestones: 0, labels: 0 });
const client = createGitHubClient({ baseUrl: sim.url, auth: { kind: "token", token: "sim-token" } });
const runtime: Runtime = await startRuntime({
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

const configResult = parseConfig({ GITHUB_WEBHOOK_SECRET: SECRET });
if (!configResult.ok) throw new Error(configResult.errors.join("\n"));
const app = createApp(
  { db, database, config: configResult.config, log: silentLogger, runtime },
  readVersion(),
);
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => app.handle(req) });
const base = `http://127.0.0.1:${server.port}`;

async function deliver(payload: Record<string, unknown>): Promise<number> {
  const body = JSON.stringify(payload);
  const res = await fetch(`${base}/api/v1/webhooks/github`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": crypto.randomUUID(),
      "x-hub-signature-256": await sign(SECRET, body),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

// The issue exists first; every measured event edits its title with a later updated_at.
const issue = opened.issue as Record<string, unknown>;
const t0 = Date.parse(String(issue.updated_at));
await deliver({ ...opened, action: "opened" });
let row = await (async () => {
  for (;;) {
    const [r] = await db
      .select()
      .from(githubIssues)
      .where(eq(githubIssues.githubId, issue.id as number));
    if (r) return r;
    await Bun.sleep(5);
  }
})();

const accepted: number[] = [];
const visible: number[] = [];
const sentAt: number[] = [];
let failures = 0;
// One reader polls GET /api/v1/issues/{id}, as a client app would, and stamps every event whose title (or a
// newer one: a later edit may already have won) it sees. One poller per event would put hundreds of readers
// on the process under test once application lags, and measure their load instead.
let seen = -1;
let sending = true;
const observer = (async () => {
  while (sending || seen < EVENTS - 1) {
    const res = await fetch(`${base}/api/v1/issues/${row.id}`);
    const dto = (await res.json()) as { title: string };
    const now = performance.now();
    const n = dto.title.startsWith("latency ") ? Number(dto.title.replace("latency ", "")) : -1;
    for (let i = seen + 1; i <= n; i++) if (sentAt[i] !== undefined) visible.push(now - sentAt[i]!);
    if (n > seen) seen = n;
    await Bun.sleep(1);
  }
})();
const start = performance.now();
await Promise.all(
  Array.from({ length: EVENTS }, async (_, i) => {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    const title = `latency ${i}`;
    const sent = performance.now();
    sentAt[i] = sent;
    const status = await deliver({
      ...opened,
      action: "edited",
      issue: { ...issue, title, updated_at: new Date(t0 + (i + 1) * 1000).toISOString() },
    });
    const acceptedAt = performance.now();
    if (status !== 202) {
      failures++;
      return;
    }
    accepted.push(acceptedAt - sent);
  }),
);
sending = false;
await observer;
const seconds = (performance.now() - start) / 1000;
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(2));
};
row = (await db.select().from(githubIssues).where(eq(githubIssues.id, row.id)))[0]!;

await server.stop(true);
await runtime.stop();
sim.stop();
await database.drop();

console.log(
  JSON.stringify({
    bench: "webhooks-latency",
    driver: database.driver,
    events: EVENTS,
    target_rate_per_s: RATE,
    achieved_rate_per_s: Math.round(visible.length / seconds),
    application: "the repository actor (applying state) on each webhook wake, through the real runtime",
    accepted_p50_ms: pct(accepted, 0.5),
    accepted_p99_ms: pct(accepted, 0.99),
    visible_p50_ms: pct(visible, 0.5),
    visible_p99_ms: pct(visible, 0.99),
    failures,
    final_title: row.title,
  }),
);
