/**
 * Webhook accepted → change visible through GET /api/v1/issues/{id}, at 100 events/s (open loop: each event
 * starts on its slot). The runtime's wiring is stood in for by a single-flight drainer per repository that
 * calls applyPendingEvents on every wake, as the repository actor does; the output says so. Loopback only.
 * Prints one JSON line; never pass/fail.
 *
 *   DATABASE_URL=postgres://… bun run bench/webhooks-latency.ts     (PGlite when unset)
 *   BENCH_EVENTS=1000 BENCH_RATE=100 to change the run.
 */
import { sign } from "@octokit/webhooks-methods";
import { eq, sql } from "drizzle-orm";
import type { Runtime } from "../src/actors/runtime.ts";
import { createApp } from "../src/api/app.ts";
import { parseConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/client.ts";
import { ensureRepositories } from "../src/db/queries/repositories.ts";
import { githubIssues } from "../src/db/schema.ts";
import { silentLogger } from "../src/logger.ts";
import { readVersion } from "../src/version.ts";
import { applyPendingEvents } from "../src/webhooks/apply-pending.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECRET = "bench-secret";

const index = (await Bun.file(
  new URL("../node_modules/@octokit/webhooks-examples/api.github.com/index.json", import.meta.url).pathname,
).json()) as { name: string; examples: Record<string, unknown>[] }[];
const opened = index.find((e) => e.name === "issues")!.examples.find((p) => p.action === "opened")!;
const fullName = String((opened.repository as { full_name: string }).full_name).toLowerCase();

const databaseUrl = process.env.DATABASE_URL ?? null;
let url = databaseUrl;
const dbName = `gt_bench_webhooks_latency_${process.pid}`;
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
const db = database.db;
const [repo] = await ensureRepositories(db, [fullName]);
const fence = { repositoryId: repo!.id, epoch: repo!.leaseEpoch };

// Stand-in for the repository actor: a wake during a drain runs one more drain after it.
let draining: Promise<void> | null = null;
let again = false;
const drain = async () => {
  do {
    again = false;
    await applyPendingEvents({ db, fence, repositoryId: repo!.id, log: silentLogger });
  } while (again);
  draining = null;
};
const runtime = {
  wake: async () => {
    if (draining) again = true;
    else draining = drain();
  },
} as unknown as Runtime;

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
let failures = 0;
const start = performance.now();
await Promise.all(
  Array.from({ length: EVENTS }, async (_, i) => {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await Bun.sleep(wait);
    const title = `latency ${i}`;
    const sent = performance.now();
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
    // Visible: GET /api/v1/issues/{id} shows this title or a newer one (a later edit may already have won).
    for (;;) {
      const res = await fetch(`${base}/api/v1/issues/${row.id}`);
      const dto = (await res.json()) as { title: string };
      const n = Number(dto.title.replace("latency ", ""));
      if (dto.title.startsWith("latency ") && n >= i) break;
      await Bun.sleep(1);
    }
    visible.push(performance.now() - sent);
  }),
);
const seconds = (performance.now() - start) / 1000;
const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(2));
};
row = (await db.select().from(githubIssues).where(eq(githubIssues.id, row.id)))[0]!;

await server.stop(true);
await database.close();
if (databaseUrl) {
  const admin = await openDatabase({ databaseUrl, dataDir: "", maxConnections: 1 });
  await admin.db.execute(sql.raw(`drop database if exists "${dbName}" with (force)`));
  await admin.close();
}

console.log(
  JSON.stringify({
    bench: "webhooks-latency",
    driver: database.driver,
    events: EVENTS,
    target_rate_per_s: RATE,
    achieved_rate_per_s: Math.round(visible.length / seconds),
    application:
      "applyPendingEvents called by a single-flight drainer on each wake (stand-in for the repository actor; runtime wiring not used)",
    accepted_p50_ms: pct(accepted, 0.5),
    accepted_p99_ms: pct(accepted, 0.99),
    visible_p50_ms: pct(visible, 0.5),
    visible_p99_ms: pct(visible, 0.99),
    failures,
    final_title: row.title,
  }),
);
