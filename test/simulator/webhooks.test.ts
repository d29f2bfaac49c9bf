/**
 * Webhooks: every change (REST, GraphQL, control API) is delivered signed with GitHub's headers, and every
 * payload validates against @octokit/openapi-webhooks. Deliveries API, redelivery and delivery faults.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { verify } from "@octokit/webhooks-methods";
import { type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import { signatures } from "../../src/simulator/webhooks/sign.ts";
import { type Listener, startListener } from "./support/listener.ts";
import { assertWebhookConforms } from "./support/schemas.ts";

let s: RunningSimulator;
let listener: Listener;
const SECRET = "It's a Secret to Everybody";
const H = { authorization: "token sim-token", "content-type": "application/json" };

async function rest(method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: H,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${s.url}/graphql`, {
    method: "POST",
    headers: H,
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, Record<string, unknown>>; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data ?? {};
}

let repoHookId = 0;

beforeAll(async () => {
  listener = startListener();
  s = await startSimulator();
  s.sim.control.seedRepository({ owner: "octo-org", name: "sandbox", issues: 20, project: true });
  s.sim.control.seedRepository({ owner: "octo-org", name: "other", issues: 1 });
  repoHookId = s.sim.control.addHook({
    owner: "octo-org",
    repo: "sandbox",
    url: listener.url,
    secret: SECRET,
    events: ["*"],
  }).id;
  s.sim.control.addHook({
    org: "octo-org",
    url: listener.url,
    secret: SECRET,
    events: ["projects_v2", "projects_v2_item"],
  });
});

afterAll(async () => {
  await s.stop();
  await listener.stop();
});

beforeEach(() => {
  listener.received.length = 0;
  listener.respond = () => 202;
  s.sim.control.setWebhookFaults({});
});

describe("signatures", () => {
  test("X-Hub-Signature-256 matches GitHub's published test vector", async () => {
    const sig = await signatures("It's a Secret to Everybody", "Hello, World!");
    expect(sig.sha256).toBe("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  });
});

describe("every change delivers a schema-valid, signed event", () => {
  test("REST, GraphQL and control-API changes", async () => {
    // Issues through REST.
    const created = await rest("POST", "/repos/octo-org/sandbox/issues", {
      title: "Webhook me",
      labels: ["bug"],
    });
    const n = created.body.number as number;
    const p = `/repos/octo-org/sandbox/issues/${n}`;
    await rest("PATCH", p, { title: "Webhook me (edited)", body: "now with body" });
    await rest("PATCH", p, { state: "closed", state_reason: "not_planned" });
    await rest("PATCH", p, { state: "open" });
    await rest("PATCH", p, { assignees: ["hubot"], milestone: 2 });
    await rest("PATCH", p, { assignees: [], milestone: null });
    await rest("POST", `${p}/labels`, { labels: ["enhancement"] });
    await rest("DELETE", `${p}/labels/bug`);
    // Labels and milestones through REST.
    await rest("POST", "/repos/octo-org/sandbox/labels", { name: "hooked", color: "abcdef" });
    await rest("PATCH", "/repos/octo-org/sandbox/labels/hooked", { new_name: "hooked2", color: "123456" });
    await rest("DELETE", "/repos/octo-org/sandbox/labels/hooked2");
    const m = await rest("POST", "/repos/octo-org/sandbox/milestones", {
      title: "hooks",
      due_on: "2026-12-01T00:00:00Z",
    });
    const mp = `/repos/octo-org/sandbox/milestones/${m.body.number}`;
    await rest("PATCH", mp, { description: "changed" });
    await rest("PATCH", mp, { state: "closed" });
    await rest("PATCH", mp, { state: "open" });
    await rest("DELETE", mp);
    // Control API: another user's edit, a delete and a transfer.
    s.sim.control.editIssue({ owner: "octo-org", repo: "sandbox", number: 1, title: "Edited on github.com" });
    s.sim.control.deleteIssue({ owner: "octo-org", repo: "sandbox", number: 2 });
    s.sim.control.transferIssue({ owner: "octo-org", repo: "sandbox", number: 3, to: "octo-org/other" });
    // Projects v2 through GraphQL.
    const org = await gql(
      `{ organization(login:"octo-org"){ id projectV2(number:1){ id fields(first:50){ nodes{ ... on ProjectV2FieldCommon { id name dataType } ... on ProjectV2SingleSelectField { options { id } } ... on ProjectV2IterationField { configuration { iterations { id } } } } } } } }`,
    );
    const project = (org.organization?.projectV2 ?? {}) as {
      id: string;
      fields: {
        nodes: Array<{
          id: string;
          name: string;
          options?: Array<{ id: string }>;
          configuration?: { iterations: Array<{ id: string }> };
        }>;
      };
    };
    const field = (name: string) => project.fields.nodes.find((f) => f.name === name);
    const issueNode = s.sim.state.repos
      .get(created.body.repository_url ? (s.sim.state.findRepo("octo-org", "sandbox")?.repo.id ?? 0) : 0)
      ?.issues.get(n)?.nodeId;
    const add = await gql(
      `mutation($p:ID!,$c:ID!){ addProjectV2ItemById(input:{projectId:$p, contentId:$c}){ item { id } } }`,
      { p: project.id, c: issueNode },
    );
    const itemId = (add.addProjectV2ItemById?.item as { id: string } | undefined)?.id;
    const set = (fieldId: string | undefined, value: Record<string, unknown>) =>
      gql(
        `mutation($p:ID!,$i:ID!,$f:ID!,$v:ProjectV2FieldValue!){ updateProjectV2ItemFieldValue(input:{projectId:$p,itemId:$i,fieldId:$f,value:$v}){ projectV2Item { id } } }`,
        { p: project.id, i: itemId, f: fieldId, v: value },
      );
    await set(field("Notes")?.id, { text: "hello" });
    await set(field("Estimate")?.id, { number: 3 });
    await set(field("Due")?.id, { date: "2026-05-01" });
    await set(field("Priority")?.id, { singleSelectOptionId: field("Priority")?.options?.[0]?.id });
    await set(field("Sprint")?.id, { iterationId: field("Sprint")?.configuration?.iterations[0]?.id });
    await gql(
      `mutation($p:ID!,$i:ID!,$f:ID!){ clearProjectV2ItemFieldValue(input:{projectId:$p,itemId:$i,fieldId:$f}){ projectV2Item { id } } }`,
      { p: project.id, i: itemId, f: field("Notes")?.id },
    );
    await gql(
      `mutation($p:ID!,$i:ID!){ archiveProjectV2Item(input:{projectId:$p,itemId:$i}){ item { id } } }`,
      { p: project.id, i: itemId },
    );
    await gql(
      `mutation($p:ID!,$i:ID!){ deleteProjectV2Item(input:{projectId:$p,itemId:$i}){ deletedItemId } }`,
      { p: project.id, i: itemId },
    );
    const np = await gql(
      `mutation($o:ID!){ createProjectV2(input:{ownerId:$o, title:"Hooked"}){ projectV2 { id } } }`,
      { o: org.organization?.id },
    );
    const npId = (np.createProjectV2?.projectV2 as { id: string } | undefined)?.id;
    await gql(
      `mutation($p:ID!){ updateProjectV2(input:{projectId:$p, title:"Hooked 2", shortDescription:"s"}){ projectV2 { id } } }`,
      { p: npId },
    );
    await gql(`mutation($p:ID!){ updateProjectV2(input:{projectId:$p, closed:true}){ projectV2 { id } } }`, {
      p: npId,
    });
    await gql(`mutation($p:ID!){ updateProjectV2(input:{projectId:$p, closed:false}){ projectV2 { id } } }`, {
      p: npId,
    });

    await s.sim.flushWebhooks();
    const seen = new Set<string>();
    for (const r of listener.received) {
      expect(r.headers["user-agent"]).toStartWith("GitHub-Hookshot/");
      expect(r.headers["x-github-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.headers["x-github-hook-id"]).toMatch(/^\d+$/);
      expect(r.headers["x-github-hook-installation-target-type"]).toMatch(/^(repository|organization)$/);
      expect(await verify(SECRET, r.body, r.headers["x-hub-signature-256"] ?? "")).toBe(true);
      const event = r.headers["x-github-event"] ?? "";
      const payload = JSON.parse(r.body) as Record<string, unknown>;
      assertWebhookConforms(event, payload);
      seen.add(`${event}.${payload.action}`);
    }
    expect([...seen].sort()).toEqual(
      [
        "issues.opened",
        "issues.edited",
        "issues.closed",
        "issues.reopened",
        "issues.assigned",
        "issues.unassigned",
        "issues.milestoned",
        "issues.demilestoned",
        "issues.labeled",
        "issues.unlabeled",
        "issues.deleted",
        "issues.transferred",
        "label.created",
        "label.edited",
        "label.deleted",
        "milestone.created",
        "milestone.edited",
        "milestone.closed",
        "milestone.opened",
        "milestone.deleted",
        "projects_v2.created",
        "projects_v2.edited",
        "projects_v2.closed",
        "projects_v2.reopened",
        "projects_v2_item.created",
        "projects_v2_item.edited",
        "projects_v2_item.archived",
        "projects_v2_item.deleted",
      ].sort(),
    );
    // Repository hooks never receive projects_v2* events; the organization hook only those it subscribed to.
    for (const r of listener.received) {
      const event = r.headers["x-github-event"] ?? "";
      expect(r.headers["x-github-hook-id"] === String(repoHookId)).toBe(!event.startsWith("projects_v2"));
    }
  });
});

describe("deliveries API", () => {
  test("failed deliveries are recorded; list filters by status and pages by cursor; redelivery keeps the GUID", async () => {
    listener.respond = () => 500;
    s.sim.control.editIssue({ owner: "octo-org", repo: "sandbox", number: 4, title: "will fail" });
    await s.sim.flushWebhooks();
    listener.respond = () => 200;
    s.sim.control.editIssue({ owner: "octo-org", repo: "sandbox", number: 4, title: "will succeed" });
    await s.sim.flushWebhooks();
    const base = `/repos/octo-org/sandbox/hooks/${repoHookId}/deliveries`;
    const failed = await fetch(`${s.url}${base}?status=failure`, { headers: H });
    const failures = (await failed.json()) as Array<{
      id: number;
      guid: string;
      status: string;
      status_code: number;
    }>;
    expect(failures[0]?.status_code).toBe(500);
    expect(failures[0]?.status).toBe("Invalid HTTP Response: 500");
    const ok = (await (
      await fetch(`${s.url}${base}?status=success&per_page=100`, { headers: H })
    ).json()) as Array<{ status: string }>;
    expect(ok.every((d) => d.status === "OK")).toBe(true);

    // Cursor pagination walks every delivery exactly once, newest first.
    const ids: number[] = [];
    let next: string | null = `${s.url}${base}?per_page=7`;
    while (next) {
      const res: Response = await fetch(next, { headers: H });
      ids.push(...((await res.json()) as Array<{ id: number }>).map((d) => d.id));
      next = /<([^>]+)>; rel="next"/.exec(res.headers.get("link") ?? "")?.[1] ?? null;
    }
    expect(ids.length).toBeGreaterThan(7);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);

    listener.received.length = 0;
    const target = failures[0];
    const redo = await fetch(`${s.url}${base}/${target?.id}/attempts`, { method: "POST", headers: H });
    expect(redo.status).toBe(202);
    await s.sim.flushWebhooks();
    expect(listener.received.map((r) => r.headers["x-github-delivery"])).toEqual([target?.guid ?? ""]);
    const again = (await (await fetch(`${s.url}${base}?per_page=1`, { headers: H })).json()) as Array<{
      guid: string;
      redelivery: boolean;
      status: string;
    }>;
    expect(again[0]).toMatchObject({ guid: target?.guid, redelivery: true, status: "OK" });
  });

  test("a delivery not answered in time is recorded as failed", async () => {
    const slow = await startSimulator({ webhookTimeoutMs: 50 });
    let release: () => void = () => {};
    const held = new Promise<number>((r) => {
      release = () => r(200);
    });
    listener.respond = () => held;
    slow.sim.control.seedRepository({ owner: "octo-org", name: "slow", issues: 1 });
    slow.sim.control.addHook({
      owner: "octo-org",
      repo: "slow",
      url: listener.url,
      secret: SECRET,
      events: ["issues"],
    });
    slow.sim.control.editIssue({ owner: "octo-org", repo: "slow", number: 1, title: "slow" });
    await slow.sim.flushWebhooks();
    const [d] = [...slow.sim.state.deliveries.values()];
    expect(d?.status).toBe("timed out");
    release();
    await slow.stop();
  });
});

describe("webhook faults", () => {
  const edit = (title: string) =>
    s.sim.control.editIssue({ owner: "octo-org", repo: "sandbox", number: 5, title });
  const titles = () =>
    listener.received
      .filter((r) => r.headers["x-github-event"] === "issues")
      .map((r) => (JSON.parse(r.body) as { issue: { title: string } }).issue.title);

  test("drop: not sent, recorded as a failed delivery that can be redelivered", async () => {
    s.sim.control.setWebhookFaults({ dropRate: 1 });
    edit("dropped");
    await s.sim.flushWebhooks();
    expect(titles()).toEqual([]);
    const last = [...s.sim.state.deliveries.values()].at(-1);
    expect(last?.status).toContain("simulated drop");
  });

  test("duplicate: the same GUID arrives twice", async () => {
    s.sim.control.setWebhookFaults({ duplicateRate: 1 });
    edit("twice");
    await s.sim.flushWebhooks();
    const guids = listener.received.map((r) => r.headers["x-github-delivery"]);
    expect(guids.length).toBe(2);
    expect(guids[0]).toBe(guids[1] ?? "");
  });

  test("reorder: a held window is sent newest first", async () => {
    s.sim.control.setWebhookFaults({ reorderWindow: 3 });
    edit("one");
    edit("two");
    edit("three");
    await s.sim.flushWebhooks();
    expect(titles()).toEqual(["three", "two", "one"]);
  });

  test("delay: flushWebhooks waits for delayed deliveries", async () => {
    s.sim.control.setWebhookFaults({ delayMs: 30 });
    edit("later");
    expect(titles()).toEqual([]);
    await s.sim.flushWebhooks();
    expect(titles()).toEqual(["later"]);
  });
});
