/**
 * Local writes through the API: for every endpoint, the row changed and pending, exactly one outbox row with
 * the patch and base of the contract, 202 with the DTO and its ETag, the actor woken; and for every refusal
 * (412, 422, 404, 409, 400, 413) nothing written at all.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asc, count, eq } from "drizzle-orm";
import type { Runtime } from "../../src/actors/runtime.ts";
import type { IssueDto } from "../../src/api/models/issue.ts";
import type { MilestoneDto } from "../../src/api/models/milestone.ts";
import type { ProjectDetailDto } from "../../src/api/models/project.ts";
import type { ProjectItemDto } from "../../src/api/models/project-item.ts";
import {
  githubIssues,
  githubMilestones,
  githubProjectFields,
  githubProjectItems,
  githubProjectRepositories,
  githubProjects,
  type Issue,
  type Milestone,
  outbox,
  type Project,
  type Repository,
  repositories,
} from "../../src/db/schema.ts";
import { testApp } from "../support/app.ts";
import { availableDrivers, createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedIssue, seedMilestone, seedProject, seedProjectFields, seedRepository } from "../support/seed.ts";

interface Problem {
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

const TOKEN = "writer-secret";

for (const driver of availableDrivers()) {
  describe(`local writes [${driver}]`, () => {
    let database: TestDatabase;
    let api: ReturnType<typeof testApp>;
    let alpha: Repository;
    let disabled: Repository;
    let milestone: Milestone;
    const wakes: [string, string][] = [];

    beforeAll(async () => {
      database = await createTestDatabase(driver);
      // Only wake() is reached by the write routes; the rest of the runtime is not needed here.
      const runtime = {
        wake: async (repositoryId: string, reason: string) => {
          wakes.push([repositoryId, reason]);
        },
      } as unknown as Runtime;
      api = testApp(database, { env: { API_TOKENS: `writer:${TOKEN}` }, runtime });
      alpha = await seedRepository(database.db, "octo-org/alpha");
      disabled = await seedRepository(database.db, "octo-org/off");
      await database.db.update(repositories).set({ enabled: false }).where(eq(repositories.id, disabled.id));
      milestone = await seedMilestone(database.db, alpha, { number: 7, githubId: 9_007 });
    });
    afterAll(() => database.drop());

    const send = async <T>(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const response = await api.request(path, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as T };
    };
    const outboxCount = async () => (await database.db.select({ n: count() }).from(outbox))[0]?.n ?? 0;
    /** The outbox rows one write added: exactly one, or the test fails. */
    const added = async (before: number) => {
      const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));
      expect(rows.length).toBe(before + 1);
      return rows[rows.length - 1]!;
    };
    const issueRow = async (id: string) =>
      (await database.db.select().from(githubIssues).where(eq(githubIssues.id, id)))[0]!;

    /** A refused write: the status, the fields named, and nothing written anywhere. */
    const refused = async (
      method: string,
      path: string,
      body: unknown,
      status: number,
      fields: string[] = [],
      headers: Record<string, string> = {},
    ) => {
      const before = await outboxCount();
      const wakesBefore = wakes.length;
      const response = await send<Problem>(method, path, body, headers);
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      if (fields.length > 0) expect(response.body.errors?.map((e) => e.field)).toEqual(fields);
      expect(await outboxCount()).toBe(before);
      expect(wakes.length).toBe(wakesBefore);
      return response.body;
    };

    describe("issues", () => {
      test("POST creates a pending issue and one create entry with only the given keys", async () => {
        const before = await outboxCount();
        const res = await send<IssueDto>("POST", "/api/v1/issues", {
          repository: "Octo-Org/Alpha",
          title: "Local issue",
          labels: ["ui", "bug", "ui"],
          milestone: 7,
        });
        expect(res.status).toBe(202);
        expect(res.headers.get("etag")).toBe('W/"1"');
        expect(res.body).toMatchObject({
          repository: "octo-org/alpha",
          number: null,
          github_id: null,
          node_id: null,
          title: "Local issue",
          body: null,
          state: "open",
          user_login: null,
          labels: ["bug", "ui"],
          milestone: { number: 7, github_id: 9_007 },
          sync: { state: "pending", version: 1, synced_at: null },
        });
        const entry = await added(before);
        expect(entry).toMatchObject({
          repositoryId: alpha.id,
          entityType: "issue",
          entityId: res.body.id,
          operation: "create",
          patch: { title: "Local issue", labels: ["bug", "ui"], milestone: 7 },
          base: null,
          status: "pending",
          createdBy: "writer",
        });
        expect(Object.keys(entry.patch).sort()).toEqual(["labels", "milestone", "title"]);
        expect((await issueRow(res.body.id)).syncState).toBe("pending");
        expect(wakes.at(-1)).toEqual([alpha.id, "local_write"]);
      });

      test("PUT changes the row, bumps the version and records the base of exactly the keys sent", async () => {
        const issue = await seedIssue(database.db, alpha, {
          title: "Old title",
          body: "old body",
          labels: ["p1", "bug"],
          assignees: ["zed", "ada"],
        });
        const got = await api.request(`/api/v1/issues/${issue.id}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(got.headers.get("etag")).toBe('W/"1"');
        const before = await outboxCount();
        const res = await send<IssueDto>(
          "PUT",
          `/api/v1/issues/${issue.id}`,
          {
            title: "New title",
            labels: ["feature", "bug"],
            assignees: ["bob"],
            milestone: 7,
            state: "closed",
            state_reason: "not_planned",
          },
          { "if-match": 'W/"1"' },
        );
        expect(res.status).toBe(202);
        expect(res.headers.get("etag")).toBe('W/"2"');
        expect(res.body).toMatchObject({
          title: "New title",
          body: "old body",
          state: "closed",
          state_reason: "not_planned",
          labels: ["bug", "feature"],
          assignees: ["bob"],
          milestone: { number: 7, github_id: 9_007 },
          sync: { state: "pending", version: 2 },
        });
        expect(res.body.closed_at).not.toBeNull();
        const entry = await added(before);
        expect(entry).toMatchObject({ repositoryId: alpha.id, entityType: "issue", entityId: issue.id });
        expect(entry.operation).toBe("update");
        expect(entry.patch).toEqual({
          title: "New title",
          labels: ["bug", "feature"],
          assignees: ["bob"],
          milestone: 7,
          state: "closed",
          state_reason: "not_planned",
        });
        expect(entry.base).toEqual({
          title: "Old title",
          labels: ["bug", "p1"],
          assignees: ["ada", "zed"],
          milestone: null,
          state: "open",
          state_reason: null,
        });
        const row = await issueRow(issue.id);
        expect(row.syncState).toBe("pending");
        expect(row.syncVersion).toBe(2);
        // GitHub's clock, untouched by a local edit.
        expect(row.updatedAt.getTime()).toBe(issue.updatedAt.getTime());
      });

      test("PUT of one field: patch and base hold that key only; milestone null removes it", async () => {
        const issue = await seedIssue(database.db, alpha, { milestoneNumber: 7, milestoneGithubId: 9_007 });
        const before = await outboxCount();
        const res = await send<IssueDto>("PUT", `/api/v1/issues/${issue.id}`, { milestone: null });
        expect(res.status).toBe(202);
        expect(res.body.milestone).toBeNull();
        const entry = await added(before);
        expect(entry.patch).toEqual({ milestone: null });
        expect(entry.base).toEqual({ milestone: 7 });
      });

      test("DELETE closes with state_reason from the query, or completed by default", async () => {
        const a = await seedIssue(database.db, alpha);
        let before = await outboxCount();
        const res = await send<IssueDto>("DELETE", `/api/v1/issues/${a.id}?state_reason=not_planned`);
        expect(res.status).toBe(202);
        expect(res.body).toMatchObject({ state: "closed", state_reason: "not_planned" });
        let entry = await added(before);
        expect(entry.operation).toBe("update");
        expect(entry.patch).toEqual({ state: "closed", state_reason: "not_planned" });
        expect(entry.base).toEqual({ state: "open", state_reason: null });

        const b = await seedIssue(database.db, alpha);
        before = await outboxCount();
        expect((await send("DELETE", `/api/v1/issues/${b.id}`)).status).toBe(202);
        entry = await added(before);
        expect(entry.patch).toEqual({ state: "closed", state_reason: "completed" });

        const c = await seedIssue(database.db, alpha);
        before = await outboxCount();
        expect((await send("DELETE", `/api/v1/issues/${c.id}`, { state_reason: "not_planned" })).status).toBe(
          202,
        );
        expect((await added(before)).patch).toEqual({ state: "closed", state_reason: "not_planned" });
      });

      test("a stale If-Match is 412 and writes nothing; the current one goes through", async () => {
        const issue = await seedIssue(database.db, alpha, { title: "Keep" });
        await send("PUT", `/api/v1/issues/${issue.id}`, { body: "first" });
        const stale = await refused("PUT", `/api/v1/issues/${issue.id}`, { title: "Lost" }, 412, [], {
          "if-match": 'W/"1"',
        });
        expect(stale.detail).toContain('W/"2"');
        const row = await issueRow(issue.id);
        expect(row.title).toBe("Keep");
        expect(row.syncVersion).toBe(2);
        await refused("DELETE", `/api/v1/issues/${issue.id}`, undefined, 412, [], { "if-match": '"1"' });
        const ok = await send(
          "PUT",
          `/api/v1/issues/${issue.id}`,
          { title: "Won" },
          { "if-match": '"x", W/"2"' },
        );
        expect(ok.status).toBe(202);
      });

      test("concurrent writes with the same If-Match: one wins, the others are 412; each base is what it replaced", async () => {
        const issue = await seedIssue(database.db, alpha, { title: "t0" });
        const before = await outboxCount();
        const racers = ["a", "b", "c", "d"].map((title) =>
          send("PUT", `/api/v1/issues/${issue.id}`, { title }, { "if-match": 'W/"1"' }),
        );
        const statuses = (await Promise.all(racers)).map((r) => r.status).sort();
        expect(statuses).toEqual([202, 412, 412, 412]);
        expect(await outboxCount()).toBe(before + 1);
        // Without If-Match they all apply, serially: every base is the previous write's value.
        await Promise.all(
          ["e", "f", "g"].map((title) => send("PUT", `/api/v1/issues/${issue.id}`, { title })),
        );
        const entries = (await database.db.select().from(outbox).orderBy(asc(outbox.id))).slice(before);
        expect(entries).toHaveLength(4);
        for (let i = 1; i < entries.length; i++) {
          expect(entries[i]!.base).toEqual({ title: entries[i - 1]!.patch.title });
        }
        expect((await issueRow(issue.id)).syncVersion).toBe(5);
      });

      test("bad bodies are 422 naming the field, and write nothing", async () => {
        const issue = await seedIssue(database.db, alpha);
        const put = `/api/v1/issues/${issue.id}`;
        await refused("PUT", put, {}, 422, ["body"]);
        await refused("PUT", put, { title: "" }, 422, ["title"]);
        await refused("PUT", put, { title: "x".repeat(257) }, 422, ["title"]);
        await refused("PUT", put, { state: "done" }, 422, ["state"]);
        await refused("PUT", put, { state_reason: "completed" }, 422, ["state_reason"]);
        await refused("PUT", put, { state: "closed", state_reason: "reopened" }, 422, ["state_reason"]);
        await refused("PUT", put, { labels: "bug" }, 422, ["labels"]);
        await refused("PUT", put, { milestone: "v1" }, 422, ["milestone"]);
        await refused("PUT", put, { stateReason: "completed" }, 422, ["stateReason"]);
        await refused("PUT", put, [{ title: "x" }], 422, ["body"]);
        await refused("DELETE", `${put}?state_reason=duplicate`, undefined, 422, ["state_reason"]);
        await refused("POST", "/api/v1/issues", { repository: "octo-org/alpha" }, 422, ["title"]);
        await refused("POST", "/api/v1/issues", { repository: "octo-org/nope", title: "x" }, 422, [
          "repository",
        ]);
        await refused("POST", "/api/v1/issues", { repository: "octo-org/off", title: "x" }, 422, [
          "repository",
        ]);
        await refused("POST", "/api/v1/issues", { repository: "no slash", title: "x" }, 422, ["repository"]);
        await refused("POST", "/api/v1/issues", undefined, 422);
        expect((await issueRow(issue.id)).syncVersion).toBe(1);
      });

      test("unknown id 404, tombstoned 409, malformed JSON 400, oversize 413: nothing written", async () => {
        const missing = "00000000-0000-4000-8000-000000000000";
        await refused("PUT", `/api/v1/issues/${missing}`, { title: "x" }, 404);
        await refused("DELETE", `/api/v1/issues/${missing}`, undefined, 404);
        const gone = await seedIssue(database.db, alpha, { deletedAt: new Date() });
        const conflict = await refused("PUT", `/api/v1/issues/${gone.id}`, { title: "x" }, 409);
        expect(conflict.detail).toContain("deleted on GitHub");
        await refused("DELETE", `/api/v1/issues/${gone.id}`, undefined, 409);
        const issue = await seedIssue(database.db, alpha);
        await refused("PUT", `/api/v1/issues/${issue.id}`, '{"title": ', 400);
        await refused("POST", "/api/v1/issues", "not json", 400);
        const big = JSON.stringify({
          repository: "octo-org/alpha",
          title: "x",
          body: "b".repeat(1024 * 1024),
        });
        await refused("POST", "/api/v1/issues", big, 413);
        const inDisabled = await seedIssue(database.db, disabled);
        await refused("PUT", `/api/v1/issues/${inDisabled.id}`, { title: "x" }, 422, ["repository"]);
      });

      test("an oversize body without Content-Length is cut off while streaming: 413", async () => {
        const before = await outboxCount();
        const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent === 0) controller.enqueue(new TextEncoder().encode('{"title":"'));
            if (sent > 2 * 1024 * 1024) controller.close();
            else controller.enqueue(chunk);
            sent += chunk.byteLength;
          },
        });
        const response = await api.app.handle(
          new Request("http://localhost/api/v1/issues", {
            method: "POST",
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
            body: stream,
          }),
        );
        expect(response.status).toBe(413);
        expect(sent).toBeLessThan(2 * 1024 * 1024);
        expect(await outboxCount()).toBe(before);
      });
    });

    describe("milestones", () => {
      test("POST creates a pending milestone; due_on normalised to an ISO string", async () => {
        const before = await outboxCount();
        const res = await send<MilestoneDto>("POST", "/api/v1/milestones", {
          repository: "octo-org/alpha",
          title: "v2.0",
          description: "next",
          due_on: "2024-03-01T00:00:00+01:00",
        });
        expect(res.status).toBe(202);
        expect(res.headers.get("etag")).toBe('W/"1"');
        expect(res.body).toMatchObject({
          number: null,
          title: "v2.0",
          state: "open",
          due_on: "2024-02-29T23:00:00.000Z",
          sync: { state: "pending" },
        });
        const entry = await added(before);
        expect(entry).toMatchObject({
          repositoryId: alpha.id,
          entityType: "milestone",
          entityId: res.body.id,
          operation: "create",
          base: null,
        });
        expect(entry.patch).toEqual({
          title: "v2.0",
          description: "next",
          due_on: "2024-02-29T23:00:00.000Z",
        });
      });

      test("PUT and DELETE record patch and base; stale If-Match 412; errors name the field", async () => {
        const m = await seedMilestone(database.db, alpha, {
          title: "v3.0",
          dueOn: new Date("2024-05-01T00:00:00Z"),
        });
        const got = await api.request(`/api/v1/milestones/${m.id}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(got.headers.get("etag")).toBe('W/"1"');
        let before = await outboxCount();
        const res = await send<MilestoneDto>("PUT", `/api/v1/milestones/${m.id}`, {
          description: "d",
          due_on: null,
        });
        expect(res.status).toBe(202);
        expect(res.headers.get("etag")).toBe('W/"2"');
        expect(res.body).toMatchObject({
          description: "d",
          due_on: null,
          sync: { state: "pending", version: 2 },
        });
        let entry = await added(before);
        expect(entry.operation).toBe("update");
        expect(entry.patch).toEqual({ description: "d", due_on: null });
        expect(entry.base).toEqual({ description: null, due_on: "2024-05-01T00:00:00.000Z" });

        await refused("PUT", `/api/v1/milestones/${m.id}`, { title: "x" }, 412, [], { "if-match": 'W/"1"' });
        await refused("PUT", `/api/v1/milestones/${m.id}`, { due_on: "soon" }, 422, ["due_on"]);
        await refused("PUT", `/api/v1/milestones/${m.id}`, { title: milestone.title }, 422, ["title"]);
        await refused("POST", "/api/v1/milestones", { repository: "octo-org/alpha", title: "v3.0" }, 422, [
          "title",
        ]);
        await refused("POST", "/api/v1/milestones", { repository: "octo-org/off", title: "x" }, 422, [
          "repository",
        ]);

        before = await outboxCount();
        const closed = await send<MilestoneDto>("DELETE", `/api/v1/milestones/${m.id}`, undefined, {
          "if-match": 'W/"2"',
        });
        expect(closed.status).toBe(202);
        expect(closed.body).toMatchObject({ state: "closed", sync: { version: 3 } });
        entry = await added(before);
        expect(entry.patch).toEqual({ state: "closed" });
        expect(entry.base).toEqual({ state: "open" });
        const row = (
          await database.db.select().from(githubMilestones).where(eq(githubMilestones.id, m.id))
        )[0]!;
        expect(row.closedAt).not.toBeNull();

        await refused("DELETE", "/api/v1/milestones/00000000-0000-4000-8000-000000000000", undefined, 404);
        const gone = await seedMilestone(database.db, alpha, { deletedAt: new Date() });
        await refused("PUT", `/api/v1/milestones/${gone.id}`, { title: "y" }, 409);
      });
    });

    describe("projects", () => {
      let project: Project;
      beforeAll(async () => {
        project = await seedProject(database.db, {
          linkedTo: [alpha],
          title: "Board",
          shortDescription: "s",
        });
      });

      test("POST with a repository links it and queues on it", async () => {
        const before = await outboxCount();
        const res = await send<ProjectDetailDto>("POST", "/api/v1/projects", {
          owner: "Octo-Org",
          title: "Roadmap",
          repository: "octo-org/alpha",
        });
        expect(res.status).toBe(202);
        expect(res.headers.get("etag")).toBe('W/"1"');
        expect(res.body).toMatchObject({
          owner: "octo-org",
          title: "Roadmap",
          node_id: null,
          number: null,
          state: "open",
          repositories: ["octo-org/alpha"],
          sync: { state: "pending" },
        });
        const entry = await added(before);
        expect(entry).toMatchObject({
          repositoryId: alpha.id,
          entityType: "project",
          entityId: res.body.id,
          operation: "create",
          base: null,
        });
        expect(entry.patch).toEqual({ title: "Roadmap", owner: "octo-org", repository: "octo-org/alpha" });
      });

      test("POST without a repository queues on a tracked repository of the owner", async () => {
        const before = await outboxCount();
        const res = await send<ProjectDetailDto>("POST", "/api/v1/projects", {
          owner: "octo-org",
          title: "Ideas",
        });
        expect(res.status).toBe(202);
        expect(res.body.repositories).toEqual([]);
        const entry = await added(before);
        expect(entry.repositoryId).toBe(alpha.id);
        expect(entry.patch).toEqual({ title: "Ideas", owner: "octo-org" });
        await refused("POST", "/api/v1/projects", { owner: "someone-else", title: "x" }, 422, ["owner"]);
        await refused("POST", "/api/v1/projects", { owner: "octo-org" }, 422, ["title"]);
        await refused(
          "POST",
          "/api/v1/projects",
          { owner: "octo-org", title: "x", repository: "octo-org/off" },
          422,
          ["repository"],
        );
        const other = await seedRepository(database.db, "other-org/tool");
        await refused(
          "POST",
          "/api/v1/projects",
          { owner: "octo-org", title: "x", repository: other.fullName },
          422,
          ["repository"],
        );
      });

      test("PUT and DELETE: patch and base in GitHub's names, closed on delete, If-Match honoured", async () => {
        const got = await api.request(`/api/v1/projects/${project.id}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(got.headers.get("etag")).toBe('W/"1"');
        let before = await outboxCount();
        const res = await send<ProjectDetailDto>(
          "PUT",
          `/api/v1/projects/${project.id}`,
          { title: "Board 2", short_description: "new", readme: "# hi", public: true },
          { "if-match": 'W/"1"' },
        );
        expect(res.status).toBe(202);
        expect(res.headers.get("etag")).toBe('W/"2"');
        expect(res.body).toMatchObject({
          title: "Board 2",
          short_description: "new",
          readme: "# hi",
          public: true,
          sync: { state: "pending", version: 2 },
        });
        let entry = await added(before);
        expect(entry).toMatchObject({ repositoryId: alpha.id, entityType: "project", operation: "update" });
        expect(entry.patch).toEqual({
          title: "Board 2",
          short_description: "new",
          readme: "# hi",
          public: true,
        });
        expect(entry.base).toEqual({ title: "Board", short_description: "s", readme: null, public: false });

        await refused("PUT", `/api/v1/projects/${project.id}`, { closed: true }, 412, [], {
          "if-match": 'W/"1"',
        });
        await refused("PUT", `/api/v1/projects/${project.id}`, { public: "yes" }, 422, ["public"]);
        await refused("PUT", `/api/v1/projects/${project.id}`, { state: "closed" }, 422, ["state"]);

        before = await outboxCount();
        const closed = await send<ProjectDetailDto>("DELETE", `/api/v1/projects/${project.id}`);
        expect(closed.status).toBe(202);
        expect(closed.body).toMatchObject({ state: "closed", sync: { version: 3 } });
        entry = await added(before);
        expect(entry.patch).toEqual({ closed: true });
        expect(entry.base).toEqual({ closed: false });
      });

      test("a project linked to no tracked repository cannot be pushed: 422; unknown 404; tombstoned 409", async () => {
        const lonely = await seedProject(database.db, { title: "Lonely" });
        await refused("PUT", `/api/v1/projects/${lonely.id}`, { title: "x" }, 422, ["repository"]);
        const offOnly = await seedProject(database.db, { linkedTo: [disabled] });
        await refused("DELETE", `/api/v1/projects/${offOnly.id}`, undefined, 422, ["repository"]);
        await refused("PUT", "/api/v1/projects/00000000-0000-4000-8000-000000000000", { title: "x" }, 404);
        const gone = await seedProject(database.db, { linkedTo: [alpha], deletedAt: new Date() });
        await refused("PUT", `/api/v1/projects/${gone.id}`, { title: "x" }, 409);
      });
    });

    describe("project items", () => {
      let project: Project;
      let issue: Issue;
      let field: (name: string) => string;

      beforeAll(async () => {
        project = await seedProject(database.db, { linkedTo: [alpha], title: "Items board" });
        await seedProjectFields(database.db, project);
        await database.db.insert(githubProjectFields).values([
          { projectId: project.id, nodeId: `PVTF_text_${project.id}`, name: "Notes", dataType: "TEXT" },
          { projectId: project.id, nodeId: `PVTF_num_${project.id}`, name: "Estimate", dataType: "NUMBER" },
          { projectId: project.id, nodeId: `PVTF_date_${project.id}`, name: "Due", dataType: "DATE" },
          { projectId: project.id, nodeId: `PVTF_labels_${project.id}`, name: "Labels", dataType: "LABELS" },
        ]);
        const fields = await database.db
          .select()
          .from(githubProjectFields)
          .where(eq(githubProjectFields.projectId, project.id));
        field = (name) => fields.find((f) => f.name === name)!.nodeId;
        issue = await seedIssue(database.db, alpha, { title: "Tracked work" });
      });

      const addItem = async () => {
        const before = await outboxCount();
        const res = await send<ProjectItemDto>("POST", `/api/v1/projects/${project.id}/items`, {
          issue_id: issue.id,
        });
        expect(res.status).toBe(202);
        return { res, entry: await added(before) };
      };
      let itemId: string;

      test("POST adds a mirrored issue as a pending item with one create entry", async () => {
        const { res, entry } = await addItem();
        itemId = res.body.id;
        expect(res.headers.get("etag")).toBe('W/"1"');
        expect(res.body).toMatchObject({
          project_id: project.id,
          node_id: null,
          content_type: "Issue",
          content_node_id: issue.nodeId,
          issue_id: issue.id,
          title: "Tracked work",
          field_values: {},
          sync: { state: "pending", version: 1 },
        });
        expect(entry).toMatchObject({
          repositoryId: alpha.id,
          entityType: "project_item",
          entityId: itemId,
          operation: "create",
          base: null,
        });
        expect(entry.patch).toEqual({ project_node_id: project.nodeId, content_node_id: issue.nodeId });
      });

      test("POST refusals: issue not on GitHub yet, unknown issue, already in the project", async () => {
        const local = await seedIssue(database.db, alpha, { githubId: null, nodeId: null, number: null });
        const notYet = await refused(
          "POST",
          `/api/v1/projects/${project.id}/items`,
          { issue_id: local.id },
          422,
          ["issue_id"],
        );
        expect(notYet.errors?.[0]?.message).toBe("issue not on GitHub yet");
        const unknown = "00000000-0000-4000-8000-000000000000";
        await refused("POST", `/api/v1/projects/${project.id}/items`, { issue_id: unknown }, 422, [
          "issue_id",
        ]);
        await refused("POST", `/api/v1/projects/${project.id}/items`, { issue_id: "nope" }, 422, [
          "issue_id",
        ]);
        await refused("POST", `/api/v1/projects/${project.id}/items`, { issue_id: issue.id }, 422, [
          "issue_id",
        ]);
        await refused("POST", `/api/v1/projects/${unknown}/items`, { issue_id: issue.id }, 404);
      });

      test("PUT sets values by name or node id, stored and normalised; base holds the previous values", async () => {
        let before = await outboxCount();
        const res = await send<ProjectItemDto>("PUT", `/api/v1/projects/${project.id}/items/${itemId}`, {
          field_values: {
            Status: { option: "Done" },
            [field("Notes")]: "hello",
            Estimate: 3,
            due: "2024-02-29",
            Sprint: { iteration: "it1" },
          },
        });
        expect(res.status).toBe(202);
        expect(res.headers.get("etag")).toBe('W/"2"');
        expect(res.body.field_values).toEqual({
          [field("Status")]: { type: "SINGLE_SELECT", optionId: "opt2", name: "Done" },
          [field("Notes")]: { type: "TEXT", text: "hello" },
          [field("Estimate")]: { type: "NUMBER", number: 3 },
          [field("Due")]: { type: "DATE", date: "2024-02-29" },
          [field("Sprint")]: {
            type: "ITERATION",
            iterationId: "it1",
            title: "Sprint 1",
            startDate: "2024-01-01",
            duration: 14,
          },
        });
        let entry = await added(before);
        expect(entry).toMatchObject({
          repositoryId: alpha.id,
          entityType: "project_item",
          entityId: itemId,
          operation: "update",
        });
        expect(entry.patch).toEqual({
          field_values: {
            [field("Status")]: { singleSelectOptionId: "opt2" },
            [field("Notes")]: { text: "hello" },
            [field("Estimate")]: { number: 3 },
            [field("Due")]: { date: "2024-02-29" },
            [field("Sprint")]: { iterationId: "it1" },
          },
        });
        expect(entry.base).toEqual({
          field_values: {
            [field("Status")]: null,
            [field("Notes")]: null,
            [field("Estimate")]: null,
            [field("Due")]: null,
            [field("Sprint")]: null,
          },
        });

        before = await outboxCount();
        const second = await send<ProjectItemDto>(
          "PUT",
          `/api/v1/projects/${project.id}/items/${itemId}`,
          { field_values: { Status: null, Estimate: 5.5 } },
          { "if-match": 'W/"2"' },
        );
        expect(second.status).toBe(202);
        expect(second.body.field_values[field("Status")]).toBeUndefined();
        expect(second.body.field_values[field("Notes")]).toEqual({ type: "TEXT", text: "hello" });
        entry = await added(before);
        expect(entry.patch).toEqual({
          field_values: { [field("Status")]: null, [field("Estimate")]: { number: 5.5 } },
        });
        expect(entry.base).toEqual({
          field_values: {
            [field("Status")]: { singleSelectOptionId: "opt2" },
            [field("Estimate")]: { number: 3 },
          },
        });
        const row = (
          await database.db.select().from(githubProjectItems).where(eq(githubProjectItems.id, itemId))
        )[0]!;
        expect(row.syncState).toBe("pending");
        expect(row.syncVersion).toBe(3);
      });

      test("PUT refusals name the field: unknown, wrong type, unknown option, not writable; 412; 404", async () => {
        const path = `/api/v1/projects/${project.id}/items/${itemId}`;
        const cases: [Record<string, unknown>, string, string][] = [
          [{ Nope: "x" }, "field_values.Nope", "unknown field"],
          [{ Estimate: "three" }, "field_values.Estimate", "expected a number"],
          [{ Notes: 4 }, "field_values.Notes", "expected text"],
          [{ Due: "2024-02-30" }, "field_values.Due", "expected a date YYYY-MM-DD"],
          [{ Status: { option: "Blocked" } }, "field_values.Status", 'unknown option "Blocked"'],
          [{ Status: "Done" }, "field_values.Status", '{"option"'],
          [{ Sprint: { iteration: "Sprint 9" } }, "field_values.Sprint", 'unknown iteration "Sprint 9"'],
          [
            { Labels: ["bug"] },
            "field_values.Labels",
            "GitHub does not allow setting LABELS through the API",
          ],
          [{ Title: "x" }, "field_values.Title", "GitHub does not allow setting TITLE through the API"],
          [{}, "field_values", "at least one"],
        ];
        for (const [values, name, message] of cases) {
          const problem = await refused("PUT", path, { field_values: values }, 422, [name]);
          expect(problem.errors?.[0]?.message).toContain(message);
        }
        await refused("PUT", path, { field_values: { Notes: "x" } }, 412, [], { "if-match": 'W/"1"' });
        await refused("PUT", path, { values: {} }, 422, ["values"]);
        const other = await seedProject(database.db, { linkedTo: [alpha] });
        await refused(
          "PUT",
          `/api/v1/projects/${other.id}/items/${itemId}`,
          { field_values: { Notes: "x" } },
          404,
        );
        const row = (
          await database.db.select().from(githubProjectItems).where(eq(githubProjectItems.id, itemId))
        )[0]!;
        expect(row.syncVersion).toBe(3);
      });

      test("a project not yet on GitHub takes no items (409)", async () => {
        const local = await seedProject(database.db, { nodeId: null, githubId: null, number: null });
        await database.db
          .insert(githubProjectRepositories)
          .values({ projectId: local.id, repositoryId: alpha.id });
        await refused("POST", `/api/v1/projects/${local.id}/items`, { issue_id: issue.id }, 409);
        expect(
          (await database.db.select().from(githubProjects).where(eq(githubProjects.id, local.id)))[0]
            ?.syncVersion,
        ).toBe(1);
      });
    });
  });
}
