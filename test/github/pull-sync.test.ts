/**
 * The pull sync end to end: the service in-process on a real Postgres, GitHub = the simulator over HTTP,
 * syncs triggered and read back through the API.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { and, eq, isNull } from "drizzle-orm";
import { githubIssues, githubLabels, githubMilestones, repositories } from "../../src/db/schema.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import type { SimIssue } from "../../src/simulator/types.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { startTestService, type TestService } from "../support/service.ts";
import { postgresUrl } from "../support/services.ts";
import { waitFor } from "../support/wait.ts";

const enabled = postgresUrl() !== null;

interface Operation {
  id: string;
  status: string;
  pages_done: number;
  records_processed: number;
  error: Record<string, unknown> | null;
}

describe.skipIf(!enabled)("pull sync", () => {
  let sim: RunningSimulator;
  let database: TestDatabase;
  let svc: TestService | null = null;
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await svc?.stop();
    svc = null;
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(
    repo: string,
    issues: number,
    env: Record<string, string> = {},
    beforeStart: (sim: RunningSimulator) => void = () => {},
  ) {
    sim = await startSimulator({ port: 0, hostname: "127.0.0.1" });
    database = await createTestDatabase("postgres");
    cleanup.push(
      () => sim.stop(),
      () => database.drop(),
    );
    const [owner, name] = repo.split("/") as [string, string];
    const seeded = sim.sim.control.seedRepository({
      owner,
      name,
      issues,
      milestones: 6,
      labels: 8,
      project: { title: `${name} board`, items: 30 },
    });
    beforeStart(sim);
    svc = await startTestService({ database, githubUrl: sim.url, env: { GITHUB_REPOS: repo, ...env } });
    return seeded;
  }

  async function sync(repo: string, syncType: "full" | "incremental"): Promise<Operation> {
    const trigger = await svc!.post<{ operation_id: string }>("/api/v1/sync/trigger", {
      repository: repo,
      sync_type: syncType,
    });
    expect(trigger.status).toBe(202);
    return waitFor(
      async () => {
        const op = await svc!.get<Operation>(`/api/v1/sync/operations/${trigger.body.operation_id}`);
        if (op.status === "failed") throw new Error(`operation failed: ${JSON.stringify(op.error)}`);
        return op.status === "completed" && op;
      },
      { what: `the ${syncType} sync of ${repo}`, timeoutMs: 60_000 },
    );
  }

  /** The simulator's issues (not pull requests) in the shape the mirror stores, from its own state. */
  function expectedIssues(repositoryId: number) {
    const state = sim.sim.state;
    const repo = state.repos.get(repositoryId)!;
    const login = (id: number) => state.users.get(id)!.login;
    return [...repo.issues.values()]
      .filter((i: SimIssue) => i.pullRequest === null)
      .map((i) => ({
        githubId: i.id,
        nodeId: i.nodeId,
        number: i.number,
        title: i.title,
        body: i.body,
        state: i.state,
        stateReason: i.stateReason,
        userLogin: login(i.userId),
        assignees: i.assigneeIds.map(login).sort(),
        labels: i.labelIds.map((id) => state.labels.get(id)!.name).sort(),
        milestoneNumber: i.milestoneId === null ? null : state.milestones.get(i.milestoneId)!.number,
        locked: i.locked,
        comments: i.comments,
        createdAt: Math.floor(i.createdAt / 1000) * 1000,
        updatedAt: Math.floor(i.updatedAt / 1000) * 1000,
        closedAt: i.closedAt === null ? null : Math.floor(i.closedAt / 1000) * 1000,
      }))
      .sort((a, b) => a.number - b.number);
  }

  async function mirroredIssues(fullName: string) {
    const rows = await database.db
      .select()
      .from(githubIssues)
      .where(and(eq(githubIssues.repositoryFullName, fullName), isNull(githubIssues.deletedAt)));
    return rows
      .map((r) => ({
        githubId: r.githubId,
        nodeId: r.nodeId,
        number: r.number,
        title: r.title,
        body: r.body,
        state: r.state,
        stateReason: r.stateReason,
        userLogin: r.userLogin,
        assignees: r.assignees,
        labels: r.labels,
        milestoneNumber: r.milestoneNumber,
        locked: r.locked,
        comments: r.comments,
        createdAt: r.createdAt.getTime(),
        updatedAt: r.updatedAt.getTime(),
        closedAt: r.closedAt?.getTime() ?? null,
      }))
      .sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
  }

  test("a full sync mirrors every field of every issue, milestone and label", async () => {
    const seeded = await setup("octo-org/full", 260);
    const op = await sync("octo-org/full", "full");
    expect(op.records_processed).toBeGreaterThan(200);
    expect(await mirroredIssues("octo-org/full")).toEqual(expectedIssues(seeded.repositoryId));

    const state = sim.sim.state;
    const simRepo = state.repos.get(seeded.repositoryId)!;
    const milestones = await database.db
      .select()
      .from(githubMilestones)
      .where(eq(githubMilestones.repositoryFullName, "octo-org/full"));
    const simMilestones = [...state.milestones.values()].filter((m) => m.repoId === simRepo.id);
    expect(milestones.length).toBe(simMilestones.length);
    for (const m of simMilestones) {
      const row = milestones.find((r) => r.githubId === m.id);
      expect(row).toMatchObject({
        number: m.number,
        title: m.title,
        description: m.description,
        state: m.state,
        openIssues: [...simRepo.issues.values()].filter((i) => i.milestoneId === m.id && i.state === "open")
          .length,
        closedIssues: [...simRepo.issues.values()].filter(
          (i) => i.milestoneId === m.id && i.state === "closed",
        ).length,
      });
      expect(row?.dueOn?.getTime() ?? null).toBe(m.dueOn === null ? null : Math.floor(m.dueOn / 1000) * 1000);
    }
    const labels = await database.db
      .select()
      .from(githubLabels)
      .where(eq(githubLabels.repositoryFullName, "octo-org/full"));
    const simLabels = [...state.labels.values()].filter((l) => l.repoId === simRepo.id);
    expect(labels.map((l) => [l.githubId, l.name, l.color, l.description]).sort()).toEqual(
      simLabels.map((l) => [l.id, l.name, l.color, l.description]).sort(),
    );
    // The Projects v2 phase runs in the same operation (its own tests compare every field and value).
    const projects = await svc!.get<{
      data: { node_id: string; items_count: number; repositories: string[] }[];
    }>("/api/v1/projects?repository=octo-org/full");
    const simProject = state.projects.get(seeded.project!.id)!;
    expect(projects.data).toEqual([
      expect.objectContaining({
        node_id: simProject.nodeId,
        items_count: simProject.items.size,
        repositories: ["octo-org/full"],
      }),
    ]);
  }, 90_000);

  test("an incremental sync picks up remote edits: title, body, removed labels, milestone, closed with a reason", async () => {
    const seeded = await setup("octo-org/inc", 60);
    await sync("octo-org/inc", "full");
    const control = sim.sim.control;
    const simRepo = sim.sim.state.repos.get(seeded.repositoryId)!;
    const target = [...simRepo.issues.values()].find(
      (i) => i.pullRequest === null && i.labelIds.length > 0 && i.state === "open",
    )!;
    const otherMilestone = [...sim.sim.state.milestones.values()].find(
      (m) => m.repoId === simRepo.id && m.id !== target.milestoneId,
    )!;
    control.editIssue({
      owner: "octo-org",
      repo: "inc",
      number: target.number,
      title: "Renamed on github.com",
      body: "New body",
    });
    control.editIssue({ owner: "octo-org", repo: "inc", number: target.number, labels: [] });
    control.editIssue({
      owner: "octo-org",
      repo: "inc",
      number: target.number,
      milestone: otherMilestone.number,
    });
    control.editIssue({
      owner: "octo-org",
      repo: "inc",
      number: target.number,
      state: "closed",
      state_reason: "not_planned",
    });
    await sync("octo-org/inc", "incremental");
    const [row] = await database.db.select().from(githubIssues).where(eq(githubIssues.githubId, target.id));
    expect(row).toMatchObject({
      title: "Renamed on github.com",
      body: "New body",
      labels: [],
      milestoneNumber: otherMilestone.number,
      state: "closed",
      stateReason: "not_planned",
    });
    expect(await mirroredIssues("octo-org/inc")).toEqual(expectedIssues(seeded.repositoryId));
  }, 90_000);

  test("a poll with no change spends no rate points, also with a new token (If-Modified-Since)", async () => {
    await setup("octo-org/quiet", 150);
    await sync("octo-org/quiet", "full");
    await sync("octo-org/quiet", "incremental"); // moves the since-URL to the current high-water mark
    await sync("octo-org/quiet", "incremental");
    const before = sim.sim.control.counters();
    const op = await sync("octo-org/quiet", "incremental");
    const after = sim.sim.control.counters();
    expect(op.pages_done).toBeGreaterThanOrEqual(3);
    expect(after.ratePointsSpent - before.ratePointsSpent).toBe(0);
    expect(after.notModified - before.notModified).toBeGreaterThanOrEqual(3);

    // "Rotation": the service restarts with another token of the same user; its ETags belong to the old one.
    sim.sim.control.addToken({ token: "rotated-token", login: "octocat" });
    await svc!.stop();
    svc = await startTestService({
      database,
      githubUrl: sim.url,
      env: { GITHUB_REPOS: "octo-org/quiet", GITHUB_TOKEN: "rotated-token" },
    });
    await waitFor(
      async () =>
        (await svc!.get<{ repositories: { state: string }[] }>("/api/v1/sync/status")).repositories[0]
          ?.state === "idle",
      { what: "the restarted service to settle" },
    );
    const rotatedBefore = sim.sim.control.counters();
    await sync("octo-org/quiet", "incremental");
    const rotatedAfter = sim.sim.control.counters();
    expect(rotatedAfter.ratePointsSpent - rotatedBefore.ratePointsSpent).toBe(0);
  }, 90_000);

  test("deleted and transferred issues are detected; a renamed repository is followed", async () => {
    const seeded = await setup("octo-org/moves", 40);
    sim.sim.control.seedRepository({ owner: "octo-org", name: "elsewhere", issues: 2 });
    await sync("octo-org/moves", "full");
    const simRepo = sim.sim.state.repos.get(seeded.repositoryId)!;
    const [gone, moved] = [...simRepo.issues.values()].filter((i) => i.pullRequest === null);
    sim.sim.control.deleteIssue({ owner: "octo-org", repo: "moves", number: gone!.number });
    sim.sim.control.transferIssue({
      owner: "octo-org",
      repo: "moves",
      number: moved!.number,
      to: "octo-org/elsewhere",
    });
    sim.sim.control.renameRepository({ owner: "octo-org", repo: "moves", name: "moved-here" });

    await sync("octo-org/moves", "full");
    const [repo] = await database.db.select().from(repositories);
    expect(repo?.fullName).toBe("octo-org/moved-here");
    const [deletedRow] = await database.db
      .select()
      .from(githubIssues)
      .where(eq(githubIssues.githubId, gone!.id));
    expect(deletedRow?.deletedAt).not.toBeNull();
    expect(deletedRow?.transferredTo).toBeNull();
    const [movedRow] = await database.db
      .select()
      .from(githubIssues)
      .where(eq(githubIssues.githubId, moved!.id));
    expect(movedRow?.transferredTo).toMatch(/^octo-org\/elsewhere#\d+$/);
    const live = await svc!.get<{ pagination: { total: number } }>(
      "/api/v1/issues?repository=octo-org/moved-here&per_page=1",
    );
    expect(live.pagination.total).toBe(expectedIssues(seeded.repositoryId).length);
  }, 90_000);

  test("rate limit exhausted mid-sync: backing-off until the reset, then the same operation resumes, nothing lost", async () => {
    const seeded = await setup("octo-org/limited", 900);
    // Enough for a few pages, then empty for 4 seconds.
    sim.sim.control.setRateLimit({ token: "sim-token", remaining: 5, windowSeconds: 4 });
    const trigger = await svc!.post<{ operation_id: string }>("/api/v1/sync/trigger", {
      repository: "octo-org/limited",
      sync_type: "full",
    });
    const backingOff = await waitFor(
      async () => {
        const list = await svc!.get<{
          data: { state: string; next_deadline: string; last_error: { message: string } | null }[];
        }>("/api/v1/actors?kind=repository");
        return list.data.find((a) => a.state === "backing-off");
      },
      { what: "the actor to back off", timeoutMs: 30_000 },
    );
    expect(backingOff.last_error?.message).toContain("rate_limited");
    const done = await waitFor(
      async () => {
        const op = await svc!.get<Operation>(`/api/v1/sync/operations/${trigger.body.operation_id}`);
        return op.status === "completed" && op;
      },
      { what: "the same operation to complete", timeoutMs: 60_000 },
    );
    expect(done.pages_done).toBeGreaterThan(9);
    expect(await mirroredIssues("octo-org/limited")).toEqual(expectedIssues(seeded.repositoryId));
  }, 120_000);

  test("10% injected 5xx and dropped responses: the sync still converges", async () => {
    const seeded = await setup("octo-org/flaky", 400);
    sim.sim.control.injectFault({ route: "*", errorRate: 0.1, errorStatus: 502 });
    sim.sim.control.injectFault({ route: "/repos/octo-org/flaky/issues", dropResponseRate: 0.05 });
    await sync("octo-org/flaky", "full");
    expect(await mirroredIssues("octo-org/flaky")).toEqual(expectedIssues(seeded.repositoryId));
  }, 120_000);

  test("a webhook the simulator dropped is asked for again by the deliveries sweep and reaches the mirror", async () => {
    const seeded = await setup("octo-org/missed", 20, { GITHUB_WEBHOOK_SECRET: "sweep-secret" });
    await sync("octo-org/missed", "full");
    sim.sim.control.addHook({
      owner: "octo-org",
      repo: "missed",
      url: `${svc!.service.url}/api/v1/webhooks/github`,
      secret: "sweep-secret",
      events: ["issues"],
    });
    const target = [...sim.sim.state.repos.get(seeded.repositoryId)!.issues.values()].find(
      (i) => i.pullRequest === null,
    )!;
    sim.sim.control.setWebhookFaults({ dropRate: 1 });
    sim.sim.control.editIssue({
      owner: "octo-org",
      repo: "missed",
      number: target.number,
      title: "Changed while the hook was down",
    });
    await sim.sim.flushWebhooks();
    sim.sim.control.setWebhookFaults({});
    const stored = async () =>
      (
        await svc!.get<{ data: { event: string; action: string; status: string }[] }>(
          "/api/v1/webhooks/events",
        )
      ).data;
    expect(await stored()).toEqual([]);
    // A full sync sweeps the whole redelivery window; the redelivered event is stored and applied.
    await sync("octo-org/missed", "full");
    await sim.sim.flushWebhooks();
    const events = await waitFor(
      async () => {
        const list = await stored();
        return list.some((e) => e.event === "issues" && e.status === "processed") && list;
      },
      { what: "the redelivered webhook", timeoutMs: 20_000 },
    );
    expect(events.filter((e) => e.event === "issues").length).toBe(1);
  }, 60_000);

  test("GitHub App mode: a poll after the installation token rotates still spends nothing", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const privateKey = keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const publicKey = keys.publicKey.export({ type: "spki", format: "pem" }).toString();
    sim = await startSimulator({
      port: 0,
      hostname: "127.0.0.1",
      app: { id: 4242, clientId: "Iv1.test", slug: "tracker", name: "tracker", owner: "octo-org", publicKey },
    });
    database = await createTestDatabase("postgres");
    cleanup.push(
      () => sim.stop(),
      () => database.drop(),
    );
    sim.sim.control.seedRepository({ owner: "octo-org", name: "app", issues: 120, milestones: 3, labels: 3 });
    const installation = sim.sim.control.installApp({ account: "octo-org", repositories: ["app"] });
    const appEnv = {
      GITHUB_TOKEN: "",
      GITHUB_APP_ID: "4242",
      GITHUB_APP_PRIVATE_KEY: privateKey,
      GITHUB_APP_INSTALLATION_ID: String(installation.id),
      GITHUB_REPOS: "octo-org/app",
    };
    svc = await startTestService({ database, githubUrl: sim.url, env: appEnv });
    await sync("octo-org/app", "full");
    await sync("octo-org/app", "incremental");
    await sync("octo-org/app", "incremental");
    // A restart creates a new installation token (a new one every hour in production): ETags of the old one
    // no longer match, and the poll falls back to If-Modified-Since.
    await svc.stop();
    svc = await startTestService({ database, githubUrl: sim.url, env: appEnv });
    const before = sim.sim.control.counters();
    const op = await sync("octo-org/app", "incremental");
    const after = sim.sim.control.counters();
    const routes: Record<string, number> = Object.fromEntries(
      Object.entries(after.requestsByRoute)
        .map(([route, n]): [string, number] => [route, n - (before.requestsByRoute[route] ?? 0)])
        .filter(([, n]) => n > 0),
    );
    // The only point spent is the new token itself, charged to the App's JWT, not to the installation's budget.
    const tokens = routes["POST /app/installations/{installation_id}/access_tokens"] ?? 0;
    expect(tokens).toBe(1);
    expect(op.pages_done).toBeGreaterThanOrEqual(3);
    expect(after.ratePointsSpent - before.ratePointsSpent).toBe(tokens);
    expect(after.notModified - before.notModified).toBe(
      Object.values(routes).reduce((a, b) => a + b, 0) - tokens,
    );
  }, 90_000);

  test("a page that keeps failing fails the operation with its reason, never a silent partial success", async () => {
    await setup("octo-org/broken", 150);
    await sync("octo-org/broken", "full");
    sim.sim.control.injectFault({
      route: "GET /repos/{owner}/{repo}/issues",
      errorRate: 1,
      errorStatus: 502,
    });
    const trigger = await svc!.post<{ operation_id: string }>("/api/v1/sync/trigger", {
      repository: "octo-org/broken",
      sync_type: "full",
    });
    const failed = await waitFor(
      async () => {
        const op = await svc!.get<Operation & { error: { message?: string } | null }>(
          `/api/v1/sync/operations/${trigger.body.operation_id}`,
        );
        if (op.status === "completed") throw new Error("a failing page must not complete the operation");
        return op.status === "failed" && op;
      },
      { what: "the operation to fail", timeoutMs: 90_000, intervalMs: 200 },
    );
    expect(failed.error?.message).toContain("502");
    sim.sim.control.clearFaults();
    // The repository goes on: the next sync succeeds.
    await sync("octo-org/broken", "incremental");
  }, 120_000);

  test("a token without the project scope still mirrors issues; projects are skipped, not the sync", async () => {
    const seeded = await setup("octo-org/scoped", 40, { GITHUB_TOKEN: "repo-only" }, (s) =>
      s.sim.control.addToken({ token: "repo-only", login: "octocat", scopes: ["repo"] }),
    );
    const op = await sync("octo-org/scoped", "full");
    expect(op.status).toBe("completed");
    expect(await mirroredIssues("octo-org/scoped")).toEqual(expectedIssues(seeded.repositoryId));
    const projects = await svc!.get<{ data: unknown[] }>("/api/v1/projects");
    expect(projects.data).toEqual([]);
  }, 60_000);

  test("a full sync tombstones milestones and labels deleted on GitHub; a rename of a label is followed", async () => {
    const seeded = await setup("octo-org/tidy", 30);
    await sync("octo-org/tidy", "full");
    const state = sim.sim.state;
    const milestone = [...state.milestones.values()].find((m) => m.repoId === seeded.repositoryId)!;
    const [gone, renamed] = [...state.labels.values()].filter((l) => l.repoId === seeded.repositoryId);
    sim.sim.control.deleteMilestone({ owner: "octo-org", repo: "tidy", number: milestone.number });
    sim.sim.control.deleteLabel({ owner: "octo-org", repo: "tidy", name: gone!.name });
    sim.sim.control.editLabel({
      owner: "octo-org",
      repo: "tidy",
      name: renamed!.name,
      new_name: "renamed-label",
    });
    await sync("octo-org/tidy", "full");
    const [m] = await database.db
      .select()
      .from(githubMilestones)
      .where(eq(githubMilestones.githubId, milestone.id));
    expect(m?.deletedAt).not.toBeNull();
    const labels = await database.db
      .select()
      .from(githubLabels)
      .where(eq(githubLabels.repositoryFullName, "octo-org/tidy"));
    expect(labels.find((l) => l.githubId === gone!.id)?.deletedAt).not.toBeNull();
    expect(labels.find((l) => l.githubId === renamed!.id)).toMatchObject({
      name: "renamed-label",
      deletedAt: null,
    });
    const listed = await svc!.get<{ data: { id: string }[] }>("/api/v1/milestones?repository=octo-org/tidy");
    expect(listed.data.map((x) => x.id)).not.toContain(m!.id);
  }, 60_000);
});
