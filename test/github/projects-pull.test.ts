/**
 * Projects v2 pull against the simulator over real HTTP (GraphQL validated against GitHub's schema) into a real
 * database, through the real client: the mirror must equal the simulator's state, field by field.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { eq } from "drizzle-orm";
import { RetryLaterError } from "../../src/actors/effects.ts";
import { acquireLease } from "../../src/actors/lease-store.ts";
import type { Database } from "../../src/db/client.ts";
import {
  githubIssues,
  githubProjectFields,
  githubProjectItems,
  githubProjectRepositories,
  githubProjects,
  type Repository,
  repositories,
} from "../../src/db/schema.ts";
import { upsertIssues } from "../../src/db/writes/issues.ts";
import { createGitHubClient, type GitHubClient } from "../../src/github/client.ts";
import { type GitHubIssue, isPullRequest, mapIssue } from "../../src/github/mappers/issue.ts";
import {
  FIRST_PROJECTS_STEP,
  type ProjectsPullDeps,
  type ProjectsStepResult,
  projectsStep,
} from "../../src/github/projects/pull.ts";
import type { StepInput, SyncStep } from "../../src/machines/sync-operation.machine.ts";
import { manualClock, type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import type { SimProject } from "../../src/simulator/types.ts";
import { availableDrivers, createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedRepository } from "../support/seed.ts";
import { expectedFields, expectedItems, expectedProject } from "./support/expected-projects.ts";

// A runner budget, not an assertion: a pull is 5 GraphQL calls plus database work, on two drivers.
setDefaultTimeout(60_000);

const OWNER = "octo-org";
const NAME = "tracker";

/** Only the keys `expected` has, so rows compare field by field without bookkeeping columns. */
function pick<T extends object>(row: Record<string, unknown>, expected: T): Record<string, unknown> {
  return Object.fromEntries(Object.keys(expected).map((k) => [k, row[k]]));
}
const byNodeId = <T extends { nodeId: string | null }>(rows: T[]) =>
  [...rows].sort((a, b) => String(a.nodeId).localeCompare(String(b.nodeId)));

async function mirrorIssues(client: GitHubClient, db: Database, repo: Repository): Promise<void> {
  for (let page = 1; ; page++) {
    const { data } = await client.request("GET /repos/{owner}/{repo}/issues", {
      owner: OWNER,
      repo: NAME,
      state: "all",
      per_page: 100,
      page,
    });
    const issues = data as unknown as GitHubIssue[];
    const rows = issues.filter((i) => !isPullRequest(i)).map((i) => mapIssue(repo, i));
    await db.transaction((tx) => upsertIssues(tx, rows));
    if (issues.length < 100) return;
  }
}

for (const driver of availableDrivers()) {
  describe(`Projects v2 pull (${driver})`, () => {
    const clock = manualClock(Date.UTC(2026, 5, 1, 10));
    let running: RunningSimulator;
    let handle: TestDatabase;
    let db: Database;
    let repo: Repository;
    let project: SimProject;
    let deps: ProjectsPullDeps;
    let ctx: { fence: { repositoryId: string; epoch: number }; signal: AbortSignal };
    let operation = 0;

    const input = (step: SyncStep): StepInput => ({
      operationId: `op-${operation}`,
      repositoryId: repo.id,
      fullName: `${OWNER}/${NAME}`,
      syncType: "full",
      step,
    });

    /** One whole pull, as the engine runs it: step after step until `next` is null. */
    async function pull() {
      operation++;
      const steps: { input: StepInput; result: ProjectsStepResult }[] = [];
      for (let step: SyncStep | null = FIRST_PROJECTS_STEP; step; ) {
        const i = input(step);
        const result = await projectsStep(deps, i, ctx);
        steps.push({ input: i, result });
        step = result.next;
      }
      return steps;
    }

    async function issueIds(): Promise<Map<string, string>> {
      const rows = await db.select({ id: githubIssues.id, nodeId: githubIssues.nodeId }).from(githubIssues);
      return new Map(rows.flatMap((r) => (r.nodeId ? [[r.nodeId, r.id] as const] : [])));
    }

    async function mirror() {
      const [p] = await db.select().from(githubProjects).where(eq(githubProjects.nodeId, project.nodeId));
      if (!p) throw new Error("project not mirrored");
      const fields = await db
        .select()
        .from(githubProjectFields)
        .where(eq(githubProjectFields.projectId, p.id));
      const items = await db.select().from(githubProjectItems).where(eq(githubProjectItems.projectId, p.id));
      return { project: p, fields, items };
    }

    /** The mirror equals the simulator: project, every field definition, every live item and value. */
    async function expectMirrorEqualsSimulator() {
      const m = await mirror();
      const wantProject = expectedProject(running.sim, project);
      expect(pick(m.project, wantProject)).toEqual(wantProject);
      expect(m.project.url).toEndWith(`/orgs/${OWNER}/projects/${project.number}`);
      const wantFields = byNodeId(expectedFields(project, clock.now()));
      const liveFields = byNodeId(m.fields.filter((f) => f.deletedAt === null));
      expect(liveFields.map((f, i) => pick(f, wantFields[i] ?? {}))).toEqual(wantFields);
      const wantItems = byNodeId(expectedItems(running.sim, project, await issueIds()));
      const liveItems = byNodeId(m.items.filter((i) => i.deletedAt === null));
      expect(liveItems.length).toBe(wantItems.length);
      expect(liveItems.map((it, i) => pick(it, wantItems[i] ?? {}))).toEqual(wantItems);
      return m;
    }

    beforeAll(async () => {
      running = await startSimulator({ clock });
      const seeded = running.sim.control.seedRepository({
        owner: OWNER,
        name: NAME,
        issues: 300,
        // 250 issue and pull request items plus the seed's two drafts: three pages of 100.
        project: { title: "Roadmap", items: 250 },
      });
      const p = seeded.project && running.sim.state.projects.get(seeded.project.id);
      if (!p) throw new Error("simulator seeded no project");
      project = p;
      handle = await createTestDatabase(driver);
      db = handle.db;
      repo = await seedRepository(db, `${OWNER}/${NAME}`);
      const epoch = await acquireLease(db, repo.id, "projects-pull-test", 60_000);
      ctx = { fence: { repositoryId: repo.id, epoch }, signal: new AbortController().signal };
      const client = createGitHubClient({
        baseUrl: running.url,
        auth: { kind: "token", token: "sim-token" },
      });
      deps = { db, client, now: clock.now };
      await mirrorIssues(client, db, repo);
    });

    afterAll(async () => {
      await handle?.drop();
      await running?.stop();
    });

    let firstPull: { input: StepInput; result: ProjectsStepResult }[] = [];

    test("a full pull mirrors the project, its fields and every item with every value, in cursor pages", async () => {
      firstPull = await pull();
      expect(firstPull.map((s) => s.input.step.phase)).toEqual([
        "projects",
        "project_fields",
        "project_items",
        "project_items",
        "project_items",
      ]);
      const items = firstPull.filter((s) => s.input.step.phase === "project_items");
      expect(items.map((s) => s.result.processed)).toEqual([100, 100, 52]);
      expect(items.map((s) => s.result.pagesTotal)).toEqual([3, 3, 3]);
      expect(firstPull.every((s) => s.result.failed === 0)).toBe(true);
      // Frugal: 1 point for projects and for fields, 6 per 100 items; each step reports the budget.
      expect(firstPull.map((s) => s.result.rateLimit?.cost)).toEqual([1, 1, 6, 6, 6]);
      expect(firstPull.at(-1)?.result.rateLimit?.remaining).toBeGreaterThan(0);

      const m = await expectMirrorEqualsSimulator();
      // The comparison covers every content type and every value type.
      expect(new Set(m.items.map((i) => i.contentType))).toEqual(
        new Set(["Issue", "PullRequest", "DraftIssue"]),
      );
      const types = new Set(m.items.flatMap((i) => Object.values(i.fieldValues).map((v) => v.type)));
      expect(types).toEqual(
        new Set([
          "TEXT",
          "NUMBER",
          "DATE",
          "SINGLE_SELECT",
          "ITERATION",
          "LABELS",
          "ASSIGNEES",
          "MILESTONE",
          "OTHER",
        ]),
      );
      expect(m.items.filter((i) => i.contentType === "Issue").every((i) => i.issueId !== null)).toBe(true);
      const links = await db
        .select()
        .from(githubProjectRepositories)
        .where(eq(githubProjectRepositories.repositoryId, repo.id));
      expect(links).toEqual([{ projectId: m.project.id, repositoryId: repo.id }]);
      const [r] = await db.select().from(repositories).where(eq(repositories.id, repo.id));
      expect(r?.projectsSyncedAt).toEqual(new Date(clock.now()));
    });

    test("re-running the last item page (a restore) changes nothing and tombstones nothing", async () => {
      const last = firstPull.at(-1);
      if (!last) throw new Error("no first pull");
      const before = await mirror();
      const again = await projectsStep(deps, last.input, ctx);
      expect(again.next).toBeNull();
      const after = await mirror();
      const strip = (rows: typeof before.items) =>
        byNodeId(rows).map(({ syncSeq: _seq, syncedAt: _at, ...rest }) => rest);
      expect(strip(after.items)).toEqual(strip(before.items));
      expect(after.items.every((i) => i.deletedAt === null)).toBe(true);
    });

    test("remote edits are reflected by the next pull: deleted, archived, values cleared and set, labels removed", async () => {
      const c = running.sim.control;
      const ref = { owner: OWNER, number: project.number };
      const items = [...project.items.values()];
      const withIssue = items.filter((i) => i.contentType === "Issue");
      const deleted = withIssue[0];
      const archived = withIssue[1];
      const cleared = items.find((i) => i !== deleted && i.values.size > 0);
      const clearedFieldId = cleared ? [...cleared.values.keys()][0] : undefined;
      const clearedField = project.fields.find((f) => f.id === clearedFieldId);
      const priority = project.fields.find((f) => f.name === "Priority");
      const relabelled = withIssue.find(
        (i) => i !== deleted && (running.sim.state.issues.get(i.issueId ?? 0)?.labelIds.length ?? 0) > 0,
      );
      const relabelledIssue = relabelled && running.sim.state.issues.get(relabelled.issueId ?? 0);
      if (!deleted || !archived || !cleared || !clearedField || !priority?.options[0] || !relabelledIssue) {
        throw new Error("seed lacks the items this test needs");
      }
      c.deleteProjectItem({ ...ref, item: deleted.nodeId });
      c.archiveProjectItem({ ...ref, item: archived.nodeId });
      c.setProjectFieldValue({ ...ref, item: cleared.nodeId, field: clearedField.nodeId, value: null });
      c.setProjectFieldValue({
        ...ref,
        item: archived.nodeId,
        field: "Priority",
        value: { singleSelectOptionId: priority.options[0].id },
      });
      c.editIssue({ owner: OWNER, repo: NAME, number: relabelledIssue.number, labels: [] });
      const added = c.addProjectItem({ ...ref, repo: NAME, issue: 300 });
      c.editProject({
        ...ref,
        title: "Roadmap 2026",
        shortDescription: "Next",
        readme: "# Plan",
        public: true,
        closed: true,
      });
      // Rows GitHub no longer lists: a field and a linked project.
      const m0 = await mirror();
      await db.insert(githubProjectFields).values({
        projectId: m0.project.id,
        nodeId: "PVTF_removed_field",
        name: "Removed",
        dataType: "TEXT",
      });
      const [stale] = await db
        .insert(githubProjects)
        .values({ nodeId: "PVT_unlinked", githubId: 9_999, ownerLogin: OWNER, number: 99, title: "Unlinked" })
        .returning();
      if (!stale) throw new Error("insert failed");
      await db.insert(githubProjectRepositories).values({ projectId: stale.id, repositoryId: repo.id });

      await pull();

      const m = await expectMirrorEqualsSimulator();
      const row = (nodeId: string) => m.items.find((i) => i.nodeId === nodeId);
      expect(row(deleted.nodeId)?.deletedAt).not.toBeNull();
      expect(row(archived.nodeId)?.archived).toBe(true);
      expect(row(archived.nodeId)?.fieldValues[priority.nodeId]).toEqual({
        type: "SINGLE_SELECT",
        optionId: priority.options[0].id,
        name: priority.options[0].name,
      });
      expect(row(cleared.nodeId)?.fieldValues[clearedField.nodeId]).toBeUndefined();
      const labelsField = project.fields.find((f) => f.dataType === "LABELS");
      expect(labelsField && row(relabelled.nodeId)?.fieldValues[labelsField.nodeId]).toBeUndefined();
      expect(row(added.id)?.deletedAt).toBeNull();
      expect(m.project.title).toBe("Roadmap 2026");
      expect(m.project.closed).toBe(true);
      expect(m.fields.find((f) => f.nodeId === "PVTF_removed_field")?.deletedAt).not.toBeNull();
      const links = await db
        .select()
        .from(githubProjectRepositories)
        .where(eq(githubProjectRepositories.repositoryId, repo.id));
      expect(links).toEqual([{ projectId: m.project.id, repositoryId: repo.id }]);
    });

    test("an item stored newer than GitHub's (a webhook got there first) is kept, not tombstoned", async () => {
      const item = [...project.items.values()].find((i) => i.contentType === "DraftIssue");
      if (!item) throw new Error("no draft item");
      const future = new Date(clock.now() + 86_400_000);
      await db
        .update(githubProjectItems)
        .set({ title: "newer locally", updatedAt: future })
        .where(eq(githubProjectItems.nodeId, item.nodeId));
      await pull();
      const [row] = await db
        .select()
        .from(githubProjectItems)
        .where(eq(githubProjectItems.nodeId, item.nodeId));
      expect(row?.title).toBe("newer locally");
      expect(row?.updatedAt).toEqual(future);
      expect(row?.deletedAt).toBeNull();
    });

    test("a RATE_LIMITED answer becomes RetryLaterError at GitHub's reset time; the same step then succeeds", async () => {
      const c = running.sim.control;
      c.setRateLimit({ token: "sim-token", resource: "graphql", remaining: 0 });
      const res = await fetch(`${running.url}/rate_limit`, { headers: { authorization: "token sim-token" } });
      const limits = (await res.json()) as { resources: { graphql: { reset: number; remaining: number } } };
      expect(limits.resources.graphql.remaining).toBe(0);
      const step = input(FIRST_PROJECTS_STEP);
      const error = await projectsStep(deps, step, ctx).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RetryLaterError);
      expect((error as RetryLaterError).kind).toBe("rate_limited");
      expect((error as RetryLaterError).retryAt).toBe(limits.resources.graphql.reset * 1000);

      c.setRateLimit({ token: "sim-token", resource: "graphql", remaining: 5_000 });
      const ok = await projectsStep(deps, step, ctx);
      expect(ok.processed).toBe(1);
      expect(ok.next?.phase).toBe("project_fields");
    });
  });
}
