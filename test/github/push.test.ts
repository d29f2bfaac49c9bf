/**
 * Local edits reaching GitHub: three-way merge, conflicts and their resolution, exactly-once creates.
 * The service in-process on Postgres; GitHub is the simulator over HTTP.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { githubIssues, outbox, repositories } from "../../src/db/schema.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { createIssueLocally, editIssueLocally } from "../support/local-edit.ts";
import { startTestService, type TestService } from "../support/service.ts";
import { postgresUrl } from "../support/services.ts";
import { waitFor } from "../support/wait.ts";

const enabled = postgresUrl() !== null;

interface Conflict {
  id: string;
  field: string;
  base: unknown;
  local: unknown;
  remote: unknown;
  status: string;
}

describe.skipIf(!enabled)("push", () => {
  let sim: RunningSimulator;
  let database: TestDatabase;
  let svc: TestService;
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function setup(name: string) {
    sim = await startSimulator({ port: 0, hostname: "127.0.0.1" });
    database = await createTestDatabase("postgres");
    const seeded = sim.sim.control.seedRepository({
      owner: "octo-org",
      name,
      issues: 12,
      milestones: 2,
      labels: 4,
    });
    svc = await startTestService({
      database,
      githubUrl: sim.url,
      env: { GITHUB_REPOS: `octo-org/${name}`, GITHUB_WRITE_SPACING_MS: "0" },
    });
    cleanup.push(
      () => sim.stop(),
      () => database.drop(),
      () => svc.stop(),
    );
    await waitFor(async () => (await database.db.select().from(githubIssues)).length >= 8, {
      what: "the first pull",
    });
    const [repo] = await database.db.select().from(repositories);
    return { seeded, repo: repo! };
  }

  const simIssue = (repositoryId: number, number: number) =>
    sim.sim.state.repos.get(repositoryId)!.issues.get(number)!;

  async function pushNow(repositoryId: string) {
    await svc.service.runtime.wake(repositoryId, "local_write");
  }

  async function settled(issueId: string, state = "synced") {
    return waitFor(
      async () => {
        const [row] = await database.db.select().from(githubIssues).where(eq(githubIssues.id, issueId));
        return row?.syncState === state && row;
      },
      { what: `issue ${issueId} to be ${state}`, timeoutMs: 20_000 },
    );
  }

  test("a local title edit and a remote body edit are both kept", async () => {
    const { seeded, repo } = await setup("merge");
    const [first, second] = await database.db.select().from(githubIssues).orderBy(githubIssues.number);
    const issue = first!;
    const n1 = issue.number!;
    sim.sim.control.editIssue({
      owner: "octo-org",
      repo: "merge",
      number: n1,
      body: "Body edited on github.com",
    });
    await editIssueLocally(database.db, issue.id, { title: "Title edited locally" });
    await pushNow(repo.id);
    const row = await settled(issue.id);
    const remote = simIssue(seeded.repositoryId, n1);
    expect(remote.title).toBe("Title edited locally");
    expect(remote.body).toBe("Body edited on github.com");
    expect(row.title).toBe("Title edited locally");
    expect(row.body).toBe("Body edited on github.com");
    // Labels merge as sets: a local addition and a remote change both survive.
    const labelled = second!;
    const n2 = labelled.number!;
    const names = [...sim.sim.state.labels.values()]
      .filter((l) => l.repoId === seeded.repositoryId)
      .map((l) => l.name);
    const added = names.find((n) => !labelled.labels.includes(n))!;
    const remoteOnly = names.find((n) => n !== added && !labelled.labels.includes(n)) ?? added;
    sim.sim.control.editIssue({ owner: "octo-org", repo: "merge", number: n2, labels: [remoteOnly] });
    await editIssueLocally(database.db, labelled.id, { labels: [...labelled.labels, added] });
    await pushNow(repo.id);
    const merged = await settled(labelled.id);
    // GitHub dropped the original labels and added remoteOnly; we added `added`: remote + our delta.
    const expected = [...new Set([remoteOnly, added])].sort();
    const remoteNames = simIssue(seeded.repositoryId, n2)
      .labelIds.map((id) => sim.sim.state.labels.get(id)!.name)
      .sort();
    expect(remoteNames).toEqual(expected);
    expect(merged.labels).toEqual(expected);
  }, 60_000);

  test("both sides edit the title: a conflict is listed and held, then resolved each way", async () => {
    const { seeded, repo } = await setup("clash");
    const mirrored = (await database.db.select().from(githubIssues).orderBy(githubIssues.number)).slice(0, 3);
    const plan = [
      ["local_wins", undefined],
      ["remote_wins", undefined],
      ["merged", "A merged title"],
    ] as const;
    for (const [index, [strategy, value]] of plan.entries()) {
      const issue = mirrored[index]!;
      const number = issue.number!;
      sim.sim.control.editIssue({ owner: "octo-org", repo: "clash", number, title: `Theirs ${number}` });
      await editIssueLocally(database.db, issue.id, {
        title: `Mine ${number}`,
        body: `Local body ${number}`,
      });
      await pushNow(repo.id);
      const conflict = await waitFor(
        async () => {
          const list = await svc.get<{ data: Conflict[] }>(
            "/api/v1/sync/conflicts?repository=octo-org/clash",
          );
          return list.data.find((c) => c.local === `Mine ${number}`);
        },
        { what: "the conflict to be listed", timeoutMs: 20_000 },
      );
      expect(conflict).toMatchObject({ field: "title", remote: `Theirs ${number}`, status: "open" });
      // The body had no conflict: it went through while the title is held.
      expect(simIssue(seeded.repositoryId, number).body).toBe(`Local body ${number}`);
      expect(simIssue(seeded.repositoryId, number).title).toBe(`Theirs ${number}`);
      const status = await waitFor(
        async () => {
          const s = await svc.get<{ repositories: { state: string }[] }>("/api/v1/sync/status");
          return s.repositories[0]?.state === "conflicted" && s;
        },
        { what: "the repository actor to show conflicted", timeoutMs: 20_000 },
      );
      expect(status.repositories[0]?.state).toBe("conflicted");

      const resolved = await svc.post<Conflict>(`/api/v1/sync/conflicts/${conflict.id}/resolve`, {
        strategy,
        ...(value ? { value } : {}),
      });
      expect(resolved.status).toBe(200);
      const expected =
        strategy === "local_wins"
          ? `Mine ${number}`
          : strategy === "remote_wins"
            ? `Theirs ${number}`
            : value;
      await waitFor(() => simIssue(seeded.repositoryId, number).title === expected, {
        what: "GitHub to show the decision",
      });
      const row = await settled(issue.id);
      expect(row.title).toBe(expected);
    }
    const again = await svc.post<unknown>(
      `/api/v1/sync/conflicts/00000000-0000-4000-8000-000000000000/resolve`,
      {
        strategy: "local_wins",
      },
    );
    expect(again.status).toBe(404);
  }, 90_000);

  test("a create whose response is lost yields exactly one GitHub issue", async () => {
    const { seeded, repo } = await setup("once");
    const before = sim.sim.state.repos.get(seeded.repositoryId)!.issues.size;
    sim.sim.control.injectFault({
      route: "POST /repos/{owner}/{repo}/issues",
      dropResponseRate: 1,
      times: 1,
    });
    const id = await createIssueLocally(database.db, repo, {
      title: "Created locally",
      body: "Exactly once",
    });
    await pushNow(repo.id);
    const row = await waitFor(
      async () => {
        const [r] = await database.db.select().from(githubIssues).where(eq(githubIssues.id, id));
        return r?.githubId !== null && r?.syncState === "synced" && r;
      },
      { what: "the create to land", timeoutMs: 30_000 },
    );
    const created = [...sim.sim.state.repos.get(seeded.repositoryId)!.issues.values()].filter(
      (i) => i.title === "Created locally",
    );
    expect(created.length).toBe(1);
    expect(sim.sim.state.repos.get(seeded.repositoryId)!.issues.size).toBe(before + 1);
    expect(row.number).toBe(created[0]!.number);
    const rows = await database.db
      .select()
      .from(githubIssues)
      .where(eq(githubIssues.title, "Created locally"));
    expect(rows.length).toBe(1);
    const [entry] = await database.db.select().from(outbox).where(eq(outbox.entityId, id));
    expect(entry).toMatchObject({ status: "done", attempts: 1 });
  }, 60_000);
});
