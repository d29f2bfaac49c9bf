/**
 * kill -9 mid-push is not applied twice (issue 7). The service runs as separate processes on one Postgres
 * database; the simulator runs here. Injected latency holds a write inside the simulator while the replica
 * that sent it is killed; the simulator then commits it (GitHub would too: the request had arrived). A new
 * process on the same database must finish the outbox entry without a second create or a second edit.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { and, eq, isNull } from "drizzle-orm";
import { githubIssues, outbox } from "../../src/db/schema.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { type ServiceProcess, startServiceProcess } from "../support/process.ts";
import { postgresUrl } from "../support/services.ts";
import { waitFor } from "../support/wait.ts";

const enabled = postgresUrl() !== null;
const OWNER = "octo-org";
const REPO = "crash";
const TOKEN = "crash-token";
const POST_ISSUES = "POST /repos/{owner}/{repo}/issues";
const PATCH_ISSUE = "PATCH /repos/{owner}/{repo}/issues/{issue_number}";

describe.skipIf(!enabled)("kill -9 mid-push", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn().catch(() => undefined);
  });

  async function setup() {
    const sim: RunningSimulator = await startSimulator({ port: 0, hostname: "127.0.0.1" });
    cleanup.push(() => sim.stop());
    const seeded = sim.sim.control.seedRepository({ owner: OWNER, name: REPO, issues: 5, labels: 3 });
    const database: TestDatabase = await createTestDatabase("postgres");
    cleanup.push(() => database.drop());
    const env = {
      DATABASE_URL: database.url ?? "",
      GITHUB_API_URL: sim.url,
      GITHUB_TOKEN: "sim-token",
      GITHUB_REPOS: `${OWNER}/${REPO}`,
      API_TOKENS: TOKEN,
      GITHUB_WRITE_SPACING_MS: "0",
      // A dead replica's lease runs out quickly, so its successor takes the repository over within the test.
      LEASE_TTL_SECONDS: "2",
      SYNC_INTERVAL_SECONDS: "3600",
      LOG_LEVEL: "warn",
    };
    const start = async () => {
      const proc = await startServiceProcess(env);
      cleanup.push(() => proc.stop("SIGKILL"));
      return proc;
    };
    const first = await start();
    await waitFor(async () => (await database.db.select().from(githubIssues)).length >= 5, {
      what: "the first pull",
      timeoutMs: 30_000,
    });
    const simRepo = sim.sim.state.repos.get(seeded.repositoryId)!;
    return { sim, database, start, first, simRepo };
  }

  async function call(proc: ServiceProcess, method: string, path: string, body: unknown) {
    const res = await fetch(`${proc.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    return (await res.json()) as { id: string };
  }

  /** The entry is marked in flight and its request has reached the simulator (held by the latency). */
  async function inFlight(
    database: TestDatabase,
    sim: RunningSimulator,
    entityId: string,
    route: string,
    before: number,
  ) {
    return waitFor(
      async () => {
        const [entry] = await database.db.select().from(outbox).where(eq(outbox.entityId, entityId));
        const arrived = (sim.sim.control.counters().requestsByRoute[route] ?? 0) > before;
        return entry?.status === "in_flight" && arrived && entry;
      },
      { what: `the ${route} push to be in flight`, timeoutMs: 20_000, intervalMs: 5 },
    );
  }

  async function done(database: TestDatabase, entryId: number) {
    return waitFor(
      async () => {
        const [entry] = await database.db.select().from(outbox).where(eq(outbox.id, entryId));
        if (entry?.status === "failed") throw new Error(`entry ${entryId} failed: ${entry.lastError}`);
        return entry?.status === "done" && entry;
      },
      { what: `outbox entry ${entryId} to be done`, timeoutMs: 30_000 },
    );
  }

  test("a create in flight when its replica is killed yields one GitHub issue and one local row", async () => {
    const { sim, database, start, first, simRepo } = await setup();
    const title = "Created just before a kill -9";
    sim.sim.control.injectFault({ route: POST_ISSUES, latencyMs: 1500, times: 1 });
    const before = sim.sim.control.counters().requestsByRoute[POST_ISSUES] ?? 0;
    const created = await call(first, "POST", "/api/v1/issues", {
      repository: `${OWNER}/${REPO}`,
      title,
      body: "Exactly once",
    });
    const entry = await inFlight(database, sim, created.id, POST_ISSUES, before);
    await first.stop("SIGKILL");
    // The request had arrived: the simulator commits it after its latency, with nobody left to read the answer.
    await waitFor(() => [...simRepo.issues.values()].some((i) => i.title === title), {
      what: "the simulator to commit the create",
    });

    await start();
    await done(database, entry.id);
    expect([...simRepo.issues.values()].filter((i) => i.title === title)).toHaveLength(1);
    expect(sim.sim.control.counters().requestsByRoute[POST_ISSUES]).toBe(before + 1);
    const rows = await database.db
      .select()
      .from(githubIssues)
      .where(and(eq(githubIssues.title, title), isNull(githubIssues.deletedAt)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(created.id);
    const remote = [...simRepo.issues.values()].find((i) => i.title === title)!;
    expect(rows[0]!.number).toBe(remote.number);
    await waitFor(
      async () => {
        const [row] = await database.db.select().from(githubIssues).where(eq(githubIssues.id, created.id));
        return row?.syncState === "synced";
      },
      { what: "the row to be synced" },
    );
  }, 120_000);

  test("an edit in flight when its replica is killed is sent once", async () => {
    const { sim, database, start, first, simRepo } = await setup();
    const [target] = await database.db.select().from(githubIssues).orderBy(githubIssues.number).limit(1);
    const remote = simRepo.issues.get(target!.number!)!;
    sim.sim.control.injectFault({ route: PATCH_ISSUE, latencyMs: 1500, times: 1 });
    const before = sim.sim.control.counters().requestsByRoute[PATCH_ISSUE] ?? 0;
    await call(first, "PUT", `/api/v1/issues/${target!.id}`, { title: "Edited just before a kill -9" });
    const entry = await inFlight(database, sim, target!.id, PATCH_ISSUE, before);
    await first.stop("SIGKILL");
    await waitFor(() => remote.title === "Edited just before a kill -9", {
      what: "the simulator to commit the edit",
    });

    await start();
    await done(database, entry.id);
    // The successor re-read the issue, found the edit already there and sent nothing: a second PATCH would
    // count here (and on GitHub it would be a second edit event, notification and webhook).
    expect(sim.sim.control.counters().requestsByRoute[PATCH_ISSUE]).toBe(before + 1);
    const [row] = await database.db.select().from(githubIssues).where(eq(githubIssues.id, target!.id));
    expect(row!.title).toBe("Edited just before a kill -9");
  }, 120_000);
});
