/**
 * Every write endpoint end to end (issue 7): HTTP with the bearer token → the local row pending and an outbox
 * entry → the repository actor pushes → the change is on the simulator (read from its state) and the mirror
 * shows the row synced. The service in-process on Postgres; GitHub is the simulator over HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import {
  githubProjectItems,
  githubProjects,
  outbox,
  type ProjectItem,
  repositories,
} from "../../src/db/schema.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { startTestService, TEST_API_TOKEN, type TestService } from "../support/service.ts";
import { postgresUrl } from "../support/services.ts";
import { waitFor } from "../support/wait.ts";

const enabled = postgresUrl() !== null;
const OWNER = "octo-org";
const REPO = "writes";

interface Synced {
  id: string;
  node_id: string | null;
  sync: { state: string; version: number };
}
interface IssueDto extends Synced {
  number: number | null;
  title: string;
  state: string;
  state_reason: string | null;
  labels: string[];
  assignees: string[];
  milestone: { number: number | null } | null;
}
interface MilestoneDto extends Synced {
  number: number | null;
  title: string;
  state: string;
  due_on: string | null;
}
interface ProjectDto extends Synced {
  number: number | null;
  title: string;
  short_description: string | null;
  state: string;
  repositories: string[];
  fields: { node_id: string; name: string }[];
}

describe.skipIf(!enabled)("write endpoints end to end", () => {
  let sim: RunningSimulator;
  let database: TestDatabase;
  let svc: TestService;
  let repoId = 0;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, hostname: "127.0.0.1" });
    database = await createTestDatabase("postgres");
    const seeded = sim.sim.control.seedRepository({
      owner: OWNER,
      name: REPO,
      issues: 12,
      milestones: 2,
      labels: 4,
      project: { title: "Seeded board", items: 4 },
    });
    repoId = seeded.repositoryId;
    svc = await startTestService({
      database,
      githubUrl: sim.url,
      env: { GITHUB_REPOS: `${OWNER}/${REPO}`, GITHUB_WRITE_SPACING_MS: "0" },
    });
    // The first full sync mirrors issues and the seeded project with its fields.
    await waitFor(
      async () => {
        const list = await svc.get<{ data: { id: string; items_count: number }[] }>(
          `/api/v1/projects?owner=${OWNER}`,
        );
        const issues = await svc.get<{ data: unknown[] }>(
          `/api/v1/issues?repository=${OWNER}/${REPO}&per_page=100`,
        );
        return list.data.length === 1 && list.data[0]!.items_count > 0 && issues.data.length >= 10;
      },
      { what: "the first pull (issues and the seeded project)", timeoutMs: 30_000 },
    );
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    await sim?.stop();
    await database?.drop();
  });

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${svc.service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_API_TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** 202 with the row pending: the API answered before GitHub saw anything. */
  async function write<T extends Synced>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await call<T>(method, path, body);
    expect(res.status).toBe(202);
    expect(res.body.sync.state).toBe("pending");
    return res.body;
  }

  /** GET through the API until the row is synced (pushed and GitHub's answer adopted). */
  function synced<T extends Synced>(path: string): Promise<T> {
    return waitFor(
      async () => {
        const row = await svc.get<T>(path);
        if (row.sync.state === "failed") throw new Error(`${path} failed to push: ${JSON.stringify(row)}`);
        return row.sync.state === "synced" && row;
      },
      { what: `${path} to be synced`, timeoutMs: 20_000 },
    );
  }

  const repo = () => sim.sim.state.repos.get(repoId)!;
  const labelNames = (ids: number[]) => ids.map((id) => sim.sim.state.labels.get(id)!.name).sort();
  const logins = (ids: number[]) => ids.map((id) => sim.sim.state.userById(id).login).sort();

  test("issues: create with labels, assignees and milestone; update; close with a reason", async () => {
    const labels = [...sim.sim.state.labels.values()].filter((l) => l.repoId === repoId).map((l) => l.name);
    const milestone = [...repo().milestones.values()][0]!;
    const created = await write<IssueDto>("POST", "/api/v1/issues", {
      repository: `${OWNER}/${REPO}`,
      title: "Written through the API",
      body: "Local body",
      labels: [labels[0]],
      assignees: ["hubot"],
      milestone: milestone.number,
    });
    expect(created.number).toBeNull();
    const row = await synced<IssueDto>(`/api/v1/issues/${created.id}`);
    expect(row.number).not.toBeNull();
    const remote = repo().issues.get(row.number!)!;
    expect(remote.title).toBe("Written through the API");
    expect(remote.body).toBe("Local body");
    expect(labelNames(remote.labelIds)).toEqual([labels[0]!]);
    expect(logins(remote.assigneeIds)).toEqual(["hubot"]);
    expect(remote.milestoneId).toBe(milestone.id);
    expect(row.milestone?.number).toBe(milestone.number);

    await write<IssueDto>("PUT", `/api/v1/issues/${created.id}`, {
      title: "Renamed through the API",
      labels: [labels[0], labels[1]],
      assignees: ["hubot", "monalisa"],
      milestone: null,
    });
    const updated = await synced<IssueDto>(`/api/v1/issues/${created.id}`);
    expect(remote.title).toBe("Renamed through the API");
    expect(labelNames(remote.labelIds)).toEqual([labels[0]!, labels[1]!].sort());
    expect(logins(remote.assigneeIds)).toEqual(["hubot", "monalisa"]);
    expect(remote.milestoneId).toBeNull();
    expect(updated.labels).toEqual([labels[0]!, labels[1]!].sort());

    await write<IssueDto>("DELETE", `/api/v1/issues/${created.id}?state_reason=not_planned`);
    const closed = await synced<IssueDto>(`/api/v1/issues/${created.id}`);
    expect(remote.state).toBe("closed");
    expect(remote.stateReason).toBe("not_planned");
    expect(closed.state).toBe("closed");
    expect(closed.state_reason).toBe("not_planned");
  }, 60_000);

  test("milestones: create with a due date; update; close", async () => {
    const created = await write<MilestoneDto>("POST", "/api/v1/milestones", {
      repository: `${OWNER}/${REPO}`,
      title: "v9.0",
      description: "Planned locally",
      due_on: "2027-03-01T00:00:00Z",
    });
    const row = await synced<MilestoneDto>(`/api/v1/milestones/${created.id}`);
    const remote = [...repo().milestones.values()].find((m) => m.number === row.number)!;
    expect(remote.title).toBe("v9.0");
    expect(remote.description).toBe("Planned locally");
    expect(new Date(remote.dueOn!).toISOString()).toBe("2027-03-01T00:00:00.000Z");

    await write<MilestoneDto>("PUT", `/api/v1/milestones/${created.id}`, {
      title: "v9.1",
      due_on: "2027-04-01T00:00:00Z",
    });
    const updated = await synced<MilestoneDto>(`/api/v1/milestones/${created.id}`);
    expect(remote.title).toBe("v9.1");
    expect(new Date(remote.dueOn!).toISOString()).toBe("2027-04-01T00:00:00.000Z");
    expect(updated.due_on).toBe("2027-04-01T00:00:00.000Z");

    await write<MilestoneDto>("DELETE", `/api/v1/milestones/${created.id}`);
    const closed = await synced<MilestoneDto>(`/api/v1/milestones/${created.id}`);
    expect(remote.state).toBe("closed");
    expect(closed.state).toBe("closed");
  }, 60_000);

  test("labels: create; rename and recolour (issues follow); refused duplicates and colours; delete (issues lose it)", async () => {
    interface LabelDto extends Synced {
      name: string;
      color: string;
      description: string | null;
      deleted_at: string | null;
    }
    const remoteLabel = (id: number | null | undefined) =>
      [...repo().labels.values()].find((l) => l.id === id) ?? null;
    const created = await write<LabelDto>("POST", "/api/v1/labels", {
      repository: `${OWNER}/${REPO}`,
      name: "needs: triage",
      color: "FBCA04",
      description: "Not looked at yet",
    });
    expect(created.color).toBe("fbca04");
    const row = await synced<LabelDto & { github_id: number }>(`/api/v1/labels/${created.id}`);
    expect(remoteLabel(row.github_id)).toMatchObject({
      name: "needs: triage",
      color: "fbca04",
      description: "Not looked at yet",
    });

    // An issue carrying it (set through the issue API, pushed, synced).
    const issues = await svc.get<{ data: IssueDto[] }>(
      `/api/v1/issues?repository=${OWNER}/${REPO}&state=open`,
    );
    const issue = issues.data.find((i) => i.number !== null)!;
    await write<IssueDto>("PUT", `/api/v1/issues/${issue.id}`, {
      labels: [...issue.labels, "needs: triage"],
    });
    await synced<IssueDto>(`/api/v1/issues/${issue.id}`);

    const duplicate = await call<{ errors: { field: string }[] }>("POST", "/api/v1/labels", {
      repository: `${OWNER}/${REPO}`,
      name: "NEEDS: TRIAGE",
    });
    expect(duplicate.status).toBe(422);
    expect(duplicate.body.errors[0]?.field).toBe("name");
    const badColour = await call("PUT", `/api/v1/labels/${created.id}`, { color: "#fbca04" });
    expect(badColour.status).toBe(422);

    await write<LabelDto>("PUT", `/api/v1/labels/${created.id}`, { name: "triage", color: "0e8a16" });
    const renamed = await synced<LabelDto>(`/api/v1/labels/${created.id}`);
    expect(renamed).toMatchObject({ name: "triage", color: "0e8a16", description: "Not looked at yet" });
    expect(remoteLabel(row.github_id)).toMatchObject({ name: "triage", color: "0e8a16" });
    // GitHub renamed it on the issue without touching the issue; the mirror did the same.
    const relabelled = await svc.get<IssueDto>(`/api/v1/issues/${issue.id}`);
    expect(relabelled.labels).toContain("triage");
    expect(relabelled.labels).not.toContain("needs: triage");
    const remoteIssue = [...repo().issues.values()].find((i) => i.number === issue.number)!;
    expect(labelNames(remoteIssue.labelIds)).toContain("triage");

    await write<LabelDto>("DELETE", `/api/v1/labels/${created.id}`);
    const deleted = await waitFor(
      async () => {
        const r = await svc.get<LabelDto>(`/api/v1/labels/${created.id}`);
        if (r.sync.state === "failed") throw new Error(`delete failed: ${JSON.stringify(r)}`);
        return r.deleted_at !== null && r.sync.state === "synced" && r;
      },
      { what: "the label to be deleted", timeoutMs: 20_000 },
    );
    expect(deleted.deleted_at).not.toBeNull();
    expect(remoteLabel(row.github_id)).toBeNull();
    expect(labelNames(remoteIssue.labelIds)).not.toContain("triage");
    expect((await svc.get<IssueDto>(`/api/v1/issues/${issue.id}`)).labels).not.toContain("triage");
    const listed = await svc.get<{ data: LabelDto[] }>(`/api/v1/labels?repository=${OWNER}/${REPO}`);
    expect(listed.data.map((l) => l.id)).not.toContain(created.id);
  }, 60_000);

  test("a label renamed on both sides is held as a conflict; the colour (changed only here) goes through", async () => {
    interface LabelDto extends Synced {
      name: string;
      color: string;
      github_id: number;
    }
    const created = await write<LabelDto>("POST", "/api/v1/labels", {
      repository: `${OWNER}/${REPO}`,
      name: "contested",
    });
    const row = await synced<LabelDto>(`/api/v1/labels/${created.id}`);
    sim.sim.control.editLabel({ owner: OWNER, repo: REPO, name: "contested", new_name: "theirs" });
    await write<LabelDto>("PUT", `/api/v1/labels/${created.id}`, { name: "mine", color: "5319e7" });
    const held = await waitFor(
      async () => {
        const r = await svc.get<LabelDto>(`/api/v1/labels/${created.id}`);
        return r.sync.state === "conflicted" && r;
      },
      { what: "the label to be conflicted", timeoutMs: 20_000 },
    );
    const remote = [...repo().labels.values()].find((l) => l.id === row.github_id)!;
    // Found by id although its name changed on GitHub; the colour went through, the name waits.
    expect(remote).toMatchObject({ name: "theirs", color: "5319e7" });
    expect(held.name).toBe("mine");
    const list = await svc.get<{ data: { id: string; field: string; local: unknown; remote: unknown }[] }>(
      "/api/v1/sync/conflicts?entity_type=label",
    );
    const conflict = list.data.find((c) => c.field === "name" && c.local === "mine")!;
    expect(conflict.remote).toBe("theirs");
    const resolved = await call("POST", `/api/v1/sync/conflicts/${conflict.id}/resolve`, {
      strategy: "local_wins",
    });
    expect(resolved.status).toBe(200);
    const after = await synced<LabelDto>(`/api/v1/labels/${created.id}`);
    expect(after.name).toBe("mine");
    expect(remote.name).toBe("mine");
  }, 60_000);

  test("projects: create (linked to the repository), retitle and describe, close", async () => {
    const created = await write<ProjectDto>("POST", "/api/v1/projects", {
      owner: OWNER,
      title: "Made locally",
    });
    expect(created.node_id).toBeNull();
    const row = await synced<ProjectDto>(`/api/v1/projects/${created.id}`);
    expect(row.node_id).toMatch(/^PVT_/);
    const remote = [...sim.sim.state.projects.values()].find((p) => p.nodeId === row.node_id)!;
    expect(remote.title).toBe("Made locally");
    expect(remote.number).toBe(row.number!);
    expect(remote.linkedRepoIds.has(repoId)).toBe(true);
    expect(row.repositories).toEqual([`${OWNER}/${REPO}`]);
    expect([...sim.sim.state.projects.values()].filter((p) => p.title === "Made locally")).toHaveLength(1);

    await write<ProjectDto>("PUT", `/api/v1/projects/${created.id}`, {
      title: "Renamed locally",
      short_description: "A board made through the API",
    });
    const updated = await synced<ProjectDto>(`/api/v1/projects/${created.id}`);
    expect(remote.title).toBe("Renamed locally");
    expect(remote.shortDescription).toBe("A board made through the API");
    expect(updated.title).toBe("Renamed locally");

    await write<ProjectDto>("DELETE", `/api/v1/projects/${created.id}`);
    const closed = await synced<ProjectDto>(`/api/v1/projects/${created.id}`);
    expect(remote.closed).toBe(true);
    expect(closed.state).toBe("closed");
  }, 60_000);

  test("project items: add an issue, set every writable value type, clear one", async () => {
    const list = await svc.get<{ data: ProjectDto[] }>(`/api/v1/projects?owner=${OWNER}&q=Seeded`);
    const project = await svc.get<ProjectDto>(`/api/v1/projects/${list.data[0]!.id}`);
    const simProject = [...sim.sim.state.projects.values()].find((p) => p.nodeId === project.node_id)!;
    // An issue the seed did not put in the project (the seed adds the first four).
    const issues = await svc.get<{ data: IssueDto[] }>(
      `/api/v1/issues?repository=${OWNER}/${REPO}&per_page=100&sort=created&direction=desc`,
    );
    const inProject = new Set([...simProject.items.values()].map((i) => i.issueId));
    const issue = issues.data.find(
      (i) => i.node_id && i.number !== null && !inProject.has(repo().issues.get(i.number)!.id),
    )!;

    const added = await write<Synced>("POST", `/api/v1/projects/${project.id}/items`, { issue_id: issue.id });
    const itemRow = await syncedItem(added.id);
    const simItem = () => [...simProject.items.values()].find((i) => i.nodeId === itemRow.nodeId)!;
    expect(itemRow.nodeId).toMatch(/^PVTI_/);
    expect(simItem().issueId).toBe(repo().issues.get(issue.number!)!.id);

    const field = (name: string) => simProject.fields.find((f) => f.name === name)!;
    const p1 = field("Priority").options.find((o) => o.name === "P1")!;
    const sprint2 = field("Sprint").iterations.find((i) => i.title === "Sprint 2")!;
    await write<Synced>("PUT", `/api/v1/projects/${project.id}/items/${added.id}`, {
      field_values: {
        Notes: "Set through the API",
        Estimate: 5,
        Due: "2027-01-15",
        Priority: { option: "P1" },
        Sprint: { iteration: "Sprint 2" },
      },
    });
    const valued = await syncedItem(added.id);
    const values = simItem().values;
    expect(values.get(field("Notes").id)).toEqual({ text: "Set through the API" });
    expect(values.get(field("Estimate").id)).toEqual({ number: 5 });
    expect(values.get(field("Due").id)).toEqual({ date: "2027-01-15" });
    expect(values.get(field("Priority").id)).toEqual({ singleSelectOptionId: p1.id });
    expect(values.get(field("Sprint").id)).toEqual({ iterationId: sprint2.id });
    expect(valued.fieldValues[field("Notes").nodeId]).toEqual({ type: "TEXT", text: "Set through the API" });
    expect(valued.fieldValues[field("Priority").nodeId]).toMatchObject({ type: "SINGLE_SELECT", name: "P1" });

    await write<Synced>("PUT", `/api/v1/projects/${project.id}/items/${added.id}`, {
      field_values: { Notes: null },
    });
    const cleared = await syncedItem(added.id);
    expect(simItem().values.has(field("Notes").id)).toBe(false);
    expect(cleared.fieldValues[field("Notes").nodeId]).toBeUndefined();
    expect(cleared.fieldValues[field("Estimate").nodeId]).toEqual({ type: "NUMBER", number: 5 });
  }, 60_000);

  test("a label create whose response was lost is adopted by its name, not repeated", async () => {
    // The simulator commits the label, then resets the connection: the push retries and finds it by name.
    sim.sim.control.injectFault({
      route: "POST /repos/{owner}/{repo}/labels",
      dropResponseRate: 1,
      times: 1,
    });
    const created = await write<Synced>("POST", "/api/v1/labels", {
      repository: `${OWNER}/${REPO}`,
      name: "answer lost",
    });
    const row = await synced<Synced & { github_id: number }>(`/api/v1/labels/${created.id}`);
    const onGitHub = [...repo().labels.values()].filter((l) => l.name === "answer lost");
    expect(onGitHub).toHaveLength(1);
    expect(row.github_id).toBe(onGitHub[0]!.id);
    const entries = await database.db.select().from(outbox).where(eq(outbox.entityId, created.id));
    expect(entries.map((e) => [e.status, e.attempts])).toEqual([["done", 1]]);
  }, 60_000);

  test("a project create whose response was lost is adopted, not repeated", async () => {
    // The state a crash or a dropped response leaves: the local row without a node id, its create entry
    // attempted, and the project already on GitHub (created by our token, linked to the repository).
    const title = "Created, answer lost";
    const [repository] = await database.db.select().from(repositories);
    const [local] = await database.db
      .insert(githubProjects)
      .values({ ownerLogin: OWNER, title, syncState: "pending" })
      .returning();
    const [entry] = await database.db
      .insert(outbox)
      .values({
        repositoryId: repository!.id,
        entityType: "project",
        entityId: local!.id,
        operation: "create",
        patch: { title, owner: OWNER },
        status: "in_flight",
        attempts: 1,
      })
      .returning();
    const res = await fetch(`${sim.url}/graphql`, {
      method: "POST",
      headers: { authorization: "bearer sim-token" },
      body: JSON.stringify({
        query: `mutation($o:ID!,$r:ID!,$t:String!){ createProjectV2(input:{ownerId:$o, repositoryId:$r, title:$t}){ projectV2 { id } } }`,
        variables: { o: sim.sim.state.usersByLogin.get(OWNER)!.nodeId, r: repo().nodeId, t: title },
      }),
    });
    const made = ((await res.json()) as { data: { createProjectV2: { projectV2: { id: string } } } }).data
      .createProjectV2.projectV2;
    await svc.service.runtime.wake(repository!.id, "local_write");
    const row = await synced<ProjectDto>(`/api/v1/projects/${local!.id}`);
    expect(row.node_id).toBe(made.id);
    expect([...sim.sim.state.projects.values()].filter((p) => p.title === title)).toHaveLength(1);
    const [finished] = await database.db.select().from(outbox).where(eq(outbox.id, entry!.id));
    expect(finished!.status).toBe("done");
  }, 60_000);

  test("a project title edited on both sides is held as a conflict, then resolved remote_wins", async () => {
    const created = await write<ProjectDto>("POST", "/api/v1/projects", { owner: OWNER, title: "Contested" });
    const row = await synced<ProjectDto>(`/api/v1/projects/${created.id}`);
    sim.sim.control.editProject({ owner: OWNER, number: row.number!, title: "Theirs" });
    await write<ProjectDto>("PUT", `/api/v1/projects/${created.id}`, { title: "Mine", public: true });
    const held = await waitFor(
      async () => {
        const r = await svc.get<ProjectDto>(`/api/v1/projects/${created.id}`);
        return r.sync.state === "conflicted" && r;
      },
      { what: "the project to be conflicted", timeoutMs: 20_000 },
    );
    const remote = [...sim.sim.state.projects.values()].find((p) => p.nodeId === row.node_id)!;
    // The title waits for a decision; public (local_wins, changed only here) went through.
    expect(remote.title).toBe("Theirs");
    expect(remote.public).toBe(true);
    expect(held.title).toBe("Mine");
    const list = await svc.get<{ data: { id: string; field: string; local: unknown; remote: unknown }[] }>(
      `/api/v1/sync/conflicts?entity_type=project`,
    );
    const conflict = list.data.find((c) => c.field === "title" && c.local === "Mine")!;
    expect(conflict.remote).toBe("Theirs");
    const resolved = await call<{ status: string }>("POST", `/api/v1/sync/conflicts/${conflict.id}/resolve`, {
      strategy: "remote_wins",
    });
    expect(resolved.status).toBe(200);
    const after = await synced<ProjectDto>(`/api/v1/projects/${created.id}`);
    expect(after.title).toBe("Theirs");
    expect(remote.title).toBe("Theirs");
  }, 60_000);

  /** The API has no GET for one item: the mirror is read from its table (the write left it pending). */
  function syncedItem(id: string): Promise<ProjectItem> {
    return waitFor(
      async () => {
        const [row] = await database.db
          .select()
          .from(githubProjectItems)
          .where(eq(githubProjectItems.id, id));
        if (row?.syncState === "failed") throw new Error(`item ${id} failed to push`);
        return row?.syncState === "synced" && row;
      },
      { what: `item ${id} to be synced`, timeoutMs: 20_000 },
    );
  }
});
