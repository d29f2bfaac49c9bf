import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { IssueDto } from "../../src/api/models/issue.ts";
import type { LabelDto } from "../../src/api/models/label.ts";
import type { MilestoneDto } from "../../src/api/models/milestone.ts";
import type { ProjectDetailDto, ProjectDto } from "../../src/api/models/project.ts";
import type { RepositoryDto } from "../../src/api/models/repository.ts";
import type { Issue, Repository } from "../../src/db/schema.ts";
import { testApp } from "../support/app.ts";
import { availableDrivers, createTestDatabase, type TestDatabase } from "../support/db.ts";
import {
  seedIssue,
  seedLabel,
  seedMilestone,
  seedProject,
  seedProjectFields,
  seedRepository,
} from "../support/seed.ts";

interface Page<T> {
  data: T[];
  pagination: { page: number; per_page: number; total: number; pages: number };
}

for (const driver of availableDrivers()) {
  describe(`read API [${driver}]`, () => {
    let database: TestDatabase;
    let api: ReturnType<typeof testApp>;
    let alpha: Repository;
    let beta: Repository;
    const issues: Issue[] = [];

    beforeAll(async () => {
      database = await createTestDatabase(driver);
      api = testApp(database);
      const db = database.db;
      alpha = await seedRepository(db, "octo-org/alpha");
      beta = await seedRepository(db, "octo-org/beta");
      const day = (n: number) => new Date(Date.UTC(2024, 0, n, 12));
      issues.push(
        await seedIssue(db, alpha, {
          title: "Crash on start",
          labels: ["bug", "p1"],
          assignees: ["ada"],
          milestoneNumber: 1,
          createdAt: day(1),
          updatedAt: day(10),
        }),
        await seedIssue(db, alpha, {
          title: "Crash when offline",
          labels: ["bug"],
          assignees: [],
          createdAt: day(2),
          updatedAt: day(3),
        }),
        await seedIssue(db, alpha, {
          title: "Add dark mode",
          labels: ["feature", "p1"],
          assignees: ["bob", "ada"],
          state: "closed",
          stateReason: "completed",
          closedAt: day(8),
          milestoneNumber: 2,
          createdAt: day(3),
          updatedAt: day(8),
        }),
        await seedIssue(db, beta, {
          title: "100% CPU_usage",
          labels: ["bug"],
          createdAt: day(4),
          updatedAt: day(4),
        }),
        await seedIssue(db, beta, { title: "Gone", createdAt: day(5), updatedAt: day(5), deletedAt: day(6) }),
      );
      for (let i = 0; i < 23; i++)
        await seedIssue(db, beta, { title: `Bulk ${i}`, createdAt: day(6), updatedAt: day(6) });
    });
    afterAll(async () => {
      await database.drop();
    });

    const titles = (page: Page<IssueDto>) => page.data.map((i) => i.title);

    test("filters by repository and state", async () => {
      const open = await api.json<Page<IssueDto>>(
        "/api/v1/issues?repository=octo-org/alpha&state=open&sort=created&direction=asc",
      );
      expect(open.status).toBe(200);
      expect(titles(open.body)).toEqual(["Crash on start", "Crash when offline"]);
      const closed = await api.json<Page<IssueDto>>("/api/v1/issues?repository=Octo-Org/Alpha&state=closed");
      expect(titles(closed.body)).toEqual(["Add dark mode"]);
      expect(closed.body.data[0]?.state_reason).toBe("completed");
    });

    test("labels means all of them; assignee, milestone, q, updated_since", async () => {
      const bugP1 = await api.json<Page<IssueDto>>("/api/v1/issues?labels=bug,p1");
      expect(titles(bugP1.body)).toEqual(["Crash on start"]);
      const ada = await api.json<Page<IssueDto>>("/api/v1/issues?assignee=ada&sort=created&direction=asc");
      expect(titles(ada.body)).toEqual(["Crash on start", "Add dark mode"]);
      const unassignedAlpha = await api.json<Page<IssueDto>>(
        "/api/v1/issues?assignee=none&repository=octo-org/alpha",
      );
      expect(titles(unassignedAlpha.body)).toEqual(["Crash when offline"]);
      const m2 = await api.json<Page<IssueDto>>("/api/v1/issues?milestone=2");
      expect(titles(m2.body)).toEqual(["Add dark mode"]);
      const anyMilestone = await api.json<Page<IssueDto>>("/api/v1/issues?milestone=*");
      expect(anyMilestone.body.pagination.total).toBe(2);
      const crash = await api.json<Page<IssueDto>>("/api/v1/issues?q=CRASH&sort=title&direction=asc");
      expect(titles(crash.body)).toEqual(["Crash on start", "Crash when offline"]);
      // % and _ are literal characters, not wildcards.
      const literal = await api.json<Page<IssueDto>>(`/api/v1/issues?q=${encodeURIComponent("0% CPU_")}`);
      expect(titles(literal.body)).toEqual(["100% CPU_usage"]);
      const wildcard = await api.json<Page<IssueDto>>("/api/v1/issues?q=_");
      expect(titles(wildcard.body)).toEqual(["100% CPU_usage"]);
      const recent = await api.json<Page<IssueDto>>(
        "/api/v1/issues?updated_since=2024-01-08T12:00:00Z&sort=updated&direction=desc",
      );
      expect(titles(recent.body)).toEqual(["Crash on start", "Add dark mode"]);
    });

    test("deleted issues are hidden unless asked for", async () => {
      const beta = await api.json<Page<IssueDto>>("/api/v1/issues?repository=octo-org/beta&q=Gone");
      expect(beta.body.data).toEqual([]);
      const withDeleted = await api.json<Page<IssueDto>>("/api/v1/issues?q=Gone&include_deleted=true");
      expect(withDeleted.body.data[0]?.deleted_at).toBe("2024-01-06T12:00:00.000Z");
    });

    test("paginates with the seed's pagination object and a stable order", async () => {
      const seen = new Set<string>();
      let page = 1;
      let pages = 0;
      do {
        const res = await api.json<Page<IssueDto>>(
          `/api/v1/issues?repository=octo-org/beta&per_page=10&page=${page}`,
        );
        expect(res.status).toBe(200);
        pages = res.body.pagination.pages;
        expect(res.body.pagination).toEqual({ page, per_page: 10, total: 24, pages: 3 });
        for (const issue of res.body.data) seen.add(issue.id);
        page++;
      } while (page <= pages);
      expect(seen.size).toBe(24);
      const beyond = await api.json<Page<IssueDto>>(
        "/api/v1/issues?repository=octo-org/beta&per_page=10&page=9",
      );
      expect(beyond.body.data).toEqual([]);
      expect(beyond.body.pagination.total).toBe(24);
    });

    test("GET /issues/{id} returns every field", async () => {
      const first = issues[0]!;
      const res = await api.json<IssueDto>(`/api/v1/issues/${first.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: first.id,
        github_id: first.githubId,
        repository: "octo-org/alpha",
        number: first.number,
        title: "Crash on start",
        state: "open",
        labels: ["bug", "p1"],
        assignees: ["ada"],
        milestone: { number: 1, github_id: null },
        created_at: "2024-01-01T12:00:00.000Z",
        updated_at: "2024-01-10T12:00:00.000Z",
        sync: { state: "synced", version: 1 },
      });
    });

    test("milestones: list with filters, get one", async () => {
      await seedMilestone(database.db, alpha, { title: "v1", dueOn: new Date("2024-03-01T00:00:00Z") });
      await seedMilestone(database.db, alpha, { title: "v0", dueOn: new Date("2024-02-01T00:00:00Z") });
      const closed = await seedMilestone(database.db, beta, {
        title: "old",
        state: "closed",
        openIssues: 0,
        closedIssues: 5,
      });
      const list = await api.json<Page<MilestoneDto>>("/api/v1/milestones?repository=octo-org/alpha");
      expect(list.body.data.map((m) => m.title)).toEqual(["v0", "v1"]);
      const onlyClosed = await api.json<Page<MilestoneDto>>("/api/v1/milestones?state=closed");
      expect(onlyClosed.body.data.map((m) => m.title)).toEqual(["old"]);
      const one = await api.json<MilestoneDto>(`/api/v1/milestones/${closed.id}`);
      expect(one.body).toMatchObject({
        title: "old",
        state: "closed",
        closed_issues: 5,
        repository: "octo-org/beta",
      });
    });

    test("labels: by repository then name, q over name and description, tombstones hidden, get one", async () => {
      const bug = await seedLabel(database.db, alpha, {
        name: "bug",
        color: "d73a4a",
        description: "Something isn't working",
        isDefault: true,
      });
      await seedLabel(database.db, alpha, { name: "area: ui", description: "The web client" });
      await seedLabel(database.db, alpha, { name: "wontfix", deletedAt: new Date("2024-02-01T00:00:00Z") });
      await seedLabel(database.db, beta, { name: "bug", color: "ff0000" });

      const names = (page: Page<LabelDto>) => page.data.map((l) => `${l.repository}:${l.name}`);
      const all = await api.json<Page<LabelDto>>("/api/v1/labels");
      expect(all.status).toBe(200);
      expect(names(all.body)).toEqual(["octo-org/alpha:area: ui", "octo-org/alpha:bug", "octo-org/beta:bug"]);
      expect(all.body.pagination.total).toBe(3);

      const alphaOnly = await api.json<Page<LabelDto>>("/api/v1/labels?repository=Octo-Org/Alpha");
      expect(names(alphaOnly.body)).toEqual(["octo-org/alpha:area: ui", "octo-org/alpha:bug"]);
      const byDescription = await api.json<Page<LabelDto>>("/api/v1/labels?q=WEB%20client");
      expect(names(byDescription.body)).toEqual(["octo-org/alpha:area: ui"]);
      const withDeleted = await api.json<Page<LabelDto>>(
        "/api/v1/labels?repository=octo-org/alpha&include_deleted=true",
      );
      expect(names(withDeleted.body)).toContain("octo-org/alpha:wontfix");
      const paged = await api.json<Page<LabelDto>>("/api/v1/labels?per_page=2&page=2");
      expect(names(paged.body)).toEqual(["octo-org/beta:bug"]);

      const one = await api.json<LabelDto>(`/api/v1/labels/${bug.id}`);
      expect(one.body).toEqual({
        id: bug.id,
        github_id: bug.githubId,
        node_id: bug.nodeId,
        repository: "octo-org/alpha",
        name: "bug",
        color: "d73a4a",
        description: "Something isn't working",
        is_default: true,
        deleted_at: null,
        sync: { state: "synced", version: 1, synced_at: expect.any(String) },
      });
      const missing = await api.json<{ status: number; title: string }>(
        "/api/v1/labels/00000000-0000-4000-8000-000000000000",
      );
      expect(missing.status).toBe(404);
      const bad = await api.json("/api/v1/labels?per_page=0");
      expect(bad.status).toBe(422);
    });

    test("projects: list with item counts and linked repositories; detail with fields", async () => {
      const board = await seedProject(database.db, { title: "Roadmap", linkedTo: [alpha, beta], items: 3 });
      await seedProject(database.db, { title: "Archive", closed: true, linkedTo: [beta] });
      await seedProjectFields(database.db, board);
      const forAlpha = await api.json<Page<ProjectDto>>("/api/v1/projects?repository=octo-org/alpha");
      expect(forAlpha.body.data.map((p) => [p.title, p.items_count, p.repositories])).toEqual([
        ["Roadmap", 3, ["octo-org/alpha", "octo-org/beta"]],
      ]);
      const closed = await api.json<Page<ProjectDto>>("/api/v1/projects?state=closed");
      expect(closed.body.data.map((p) => p.title)).toEqual(["Archive"]);
      const detail = await api.json<ProjectDetailDto>(`/api/v1/projects/${board.id}`);
      expect(detail.status).toBe(200);
      expect(detail.body.items_count).toBe(3);
      const byName = Object.fromEntries(detail.body.fields.map((f) => [f.name, f]));
      expect(byName.Status?.options?.map((o) => o.name)).toEqual(["Todo", "Done"]);
      expect(byName.Sprint?.configuration?.iterations[0]?.title).toBe("Sprint 1");
      expect(byName.Title?.data_type).toBe("TITLE");

      // The board's items, with their field values, one by one with an ETag.
      const items = await api.json<
        Page<{ id: string; content_type: string; title: string; field_values: object }>
      >(`/api/v1/projects/${board.id}/items?per_page=2`);
      expect(items.status).toBe(200);
      expect(items.body.pagination).toEqual({ page: 1, per_page: 2, total: 3, pages: 2 });
      expect(items.body.data.map((i) => i.content_type)).toEqual(["DraftIssue", "DraftIssue"]);
      const one = await api.request(`/api/v1/projects/${board.id}/items/${items.body.data[0]!.id}`);
      expect(one.status).toBe(200);
      expect(one.headers.get("etag")).toBe('W/"1"');
      const archivedOnly = await api.json<Page<unknown>>(`/api/v1/projects/${board.id}/items?archived=true`);
      expect(archivedOnly.body.pagination.total).toBe(0);
      const missing = await api.request(
        `/api/v1/projects/${board.id}/items/00000000-0000-4000-8000-000000000000`,
      );
      expect(missing.status).toBe(404);
    });

    test("repositories are listed with lease and sync marks", async () => {
      const res = await api.json<Page<RepositoryDto>>("/api/v1/repositories");
      expect(res.body.data.map((r) => r.full_name)).toEqual(["octo-org/alpha", "octo-org/beta"]);
      expect(res.body.data[0]?.lease).toEqual({ epoch: 0, holder: null, until: null });
    });
  });
}
