/**
 * Pull sync throughput: 10,000 issues + 100 milestones + 50 labels (+ a 2,000-item project) from the simulator
 * over HTTP into Postgres, through the real runtime (actors persisting every page, fenced writes).
 * In the same run: the obvious baseline (octokit.paginate + one Drizzle upsert per row), the floor (fetching the
 * same pages without storing them), and the sync again with 100 ms of injected latency per request.
 * Prints one JSON line; never pass/fail.   DATABASE_URL=postgres://… bun run bench/sync.ts  (PGlite when unset)
 */

import { Octokit } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { eq, sql } from "drizzle-orm";
import { startRuntime } from "../src/actors/runtime.ts";
import { ensureRepositories } from "../src/db/queries/repositories.ts";
import {
  githubIssues,
  githubLabels,
  githubMilestones,
  githubProjectItems,
  syncOperations,
} from "../src/db/schema.ts";
import { createGitHubClient } from "../src/github/client.ts";
import { createGitHubApi } from "../src/github/github-api.ts";
import { type GitHubIssue, isPullRequest, mapIssue } from "../src/github/mappers/issue.ts";
import { type GitHubLabel, mapLabel } from "../src/github/mappers/label.ts";
import { type GitHubMilestone, mapMilestone } from "../src/github/mappers/milestone.ts";
import { RateBudget } from "../src/github/rate-budget.ts";
import { createSyncEngine } from "../src/github/sync-engine.ts";
import { silentLogger } from "../src/logger.ts";
import { benchDatabase } from "./_bench-db.ts";
import { startSimProcess } from "./_sim-process.ts";

const ISSUES = Number(process.env.BENCH_ISSUES ?? 10_000);
const LATENCY_MS = 100;

// The simulator runs in its own process, as GitHub would be remote: in-process it would share this event loop
// with the sync and bill its own work to the sync's wall time.
const sim = await startSimProcess();
const simUrl = sim.url;
const control = sim.control;
await control("seedRepository", {
  owner: "bench-org",
  name: "big",
  issues: Math.round(ISSUES / 0.9), // about one in ten is a pull request
  milestones: 100,
  labels: 50,
  project: false,
});
// The 2,000-item project lives on a repository of its own, so the issue figures above stand alone.
// (Items are the repository's issues and pull requests, so the board needs as many.)
await control("seedRepository", {
  owner: "bench-org",
  name: "board",
  issues: 2300,
  milestones: 0,
  labels: 5,
  project: { title: "Big board", items: 2000 },
});
const FULL = "bench-org/big";
const BOARD = "bench-org/board";

const counters = () => sim.counters();

/** Our sync, through the runtime: one full operation, timed from trigger to completed. */
async function ourSync(dbName: string, fullName = FULL) {
  const database = await benchDatabase(dbName);
  const db = database.db;
  const [repo] = await ensureRepositories(db, [fullName]);
  const client = createGitHubClient({ baseUrl: simUrl, auth: { kind: "token", token: "sim-token" } });
  const api = createGitHubApi({ db, budget: new RateBudget(), client });
  const runtime = await startRuntime({
    db,
    log: silentLogger,
    engine: createSyncEngine({ db, log: silentLogger, api, client }),
    redisUrl: null,
    replicaId: "bench",
    leaseTtlMs: 60_000,
    pollIntervalMs: 3_600_000,
    historyDays: 30,
  });
  // The first automatic poll of a new repository is itself a full read; let it finish, then time a full sync.
  const waitIdle = async () => {
    for (;;) {
      const [row] = await db
        .execute(sql`select state_value from actor_snapshots where kind = 'repository'`)
        .then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows));
      if ((row as { state_value?: string } | undefined)?.state_value === "idle") return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await waitIdle();
  await db.delete(githubIssues);
  const before = await counters();
  const t0 = performance.now();
  const [op] = await db
    .insert(syncOperations)
    .values({
      repositoryId: repo!.id,
      repositoryFullName: FULL,
      operationType: "all",
      syncType: "full",
      direction: "from_github",
      createdBy: "bench",
    })
    .returning();
  await runtime.trigger(repo!.id, { operationId: op!.id, syncType: "full", direction: "from_github" });
  for (;;) {
    const [row] = await db.select().from(syncOperations).where(eq(syncOperations.id, op!.id));
    if (row?.status === "completed" || row?.status === "failed") break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = await counters();
  const [stored] = await db.select({ n: sql<number>`count(*)::int` }).from(githubIssues);
  const [items] = await db.select({ n: sql<number>`count(*)::int` }).from(githubProjectItems);
  await runtime.stop();
  await database.drop();
  return {
    seconds,
    requests: after.requests - before.requests,
    points: after.points - before.points,
    issues: stored?.n ?? 0,
    items: items?.n ?? 0,
  };
}

const PaginatingOctokit = Octokit.plugin(paginateRest);
const octokit = new PaginatingOctokit({ baseUrl: simUrl, auth: "sim-token" });

/** The obvious way: paginate everything, then one upsert per row. */
async function baseline() {
  const database = await benchDatabase(`gt_bench_base_${process.pid}`);
  const db = database.db;
  const [repo] = await ensureRepositories(db, [FULL]);
  const t0 = performance.now();
  const labels = await octokit.paginate("GET /repos/{owner}/{repo}/labels", {
    owner: "bench-org",
    repo: "big",
    per_page: 100,
  });
  for (const label of labels as GitHubLabel[]) {
    await db
      .insert(githubLabels)
      .values(mapLabel(repo!, label))
      .onConflictDoUpdate({ target: githubLabels.githubId, set: { name: label.name } });
  }
  const milestones = await octokit.paginate("GET /repos/{owner}/{repo}/milestones", {
    owner: "bench-org",
    repo: "big",
    state: "all",
    per_page: 100,
  });
  for (const m of milestones as GitHubMilestone[]) {
    await db
      .insert(githubMilestones)
      .values(mapMilestone(repo!, m))
      .onConflictDoUpdate({ target: githubMilestones.githubId, set: { title: m.title } });
  }
  const issues = await octokit.paginate("GET /repos/{owner}/{repo}/issues", {
    owner: "bench-org",
    repo: "big",
    state: "all",
    per_page: 100,
  });
  for (const issue of issues as GitHubIssue[]) {
    if (isPullRequest(issue)) continue;
    const row = mapIssue(repo!, issue);
    await db
      .insert(githubIssues)
      .values(row)
      .onConflictDoUpdate({
        target: githubIssues.githubId,
        set: { title: row.title, updatedAt: row.updatedAt },
      });
  }
  const seconds = (performance.now() - t0) / 1000;
  await database.drop();
  return { seconds };
}

/** The floor: the same issue pages fetched and parsed, stored nowhere. */
async function floor() {
  const t0 = performance.now();
  const issues = await octokit.paginate("GET /repos/{owner}/{repo}/issues", {
    owner: "bench-org",
    repo: "big",
    state: "all",
    per_page: 100,
  });
  return { seconds: (performance.now() - t0) / 1000, rows: issues.length };
}

const fetchOnly = await floor();
const base = await baseline();
const ours = await ourSync(`gt_bench_sync_${process.pid}`);
const board = await ourSync(`gt_bench_board_${process.pid}`, BOARD);
await control("injectFault", { route: "*", latencyMs: LATENCY_MS });
const slow = await ourSync(`gt_bench_slow_${process.pid}`);
await control("clearFaults", {});
sim.stop();

const listRequests = Math.ceil(fetchOnly.rows / 100);
console.log(
  JSON.stringify({
    bench: "sync",
    driver: process.env.DATABASE_URL ? "postgres" : "pglite",
    issues: ours.issues,
    milestones: 100,
    labels: 50,
    full_sync_s: Number(ours.seconds.toFixed(2)),
    issues_stored: ours.issues,
    github_requests: ours.requests,
    rate_points: ours.points,
    issue_list_pages: listRequests,
    baseline_obvious_s: Number(base.seconds.toFixed(2)),
    ratio_vs_baseline: Number((base.seconds / ours.seconds).toFixed(1)),
    floor_fetch_only_s: Number(fetchOnly.seconds.toFixed(2)),
    ratio_vs_floor: Number((ours.seconds / fetchOnly.seconds).toFixed(2)),
    project_items: board.items,
    project_repo_issues: board.issues,
    project_full_sync_s: Number(board.seconds.toFixed(2)),
    project_requests: board.requests,
    project_rate_points: board.points,
    with_100ms_latency_s: Number(slow.seconds.toFixed(2)),
    latency_requests: slow.requests,
    latency_ratio_vs_requests_x_latency: Number(
      (slow.seconds / ((slow.requests * LATENCY_MS) / 1000)).toFixed(2),
    ),
    goals: { full_sync_s: 2, ratio_vs_baseline: 6, latency_ratio: 1.15 },
  }),
);
process.exit(0);
