/**
 * The webhook mappers write what the GraphQL mappers write: projects_v2 / projects_v2_item payloads delivered by
 * the simulator (signed, over HTTP, to an organization hook) are mapped and compared with the same project and
 * items read by GraphQL and mapped for the pull.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  mapProject,
  mapProjectItem,
  mapWebhookFieldValue,
  mapWebhookProject,
  mapWebhookProjectItem,
  type WebhookFieldValueChange,
  type WebhookProjectV2,
  type WebhookProjectV2Item,
} from "../../src/github/mappers/project.ts";
import {
  type GqlProject,
  PROJECT_ITEMS_QUERY,
  type ProjectItemsResult,
  REPOSITORY_PROJECTS_QUERY,
  type RepositoryProjectsResult,
} from "../../src/github/projects/queries.ts";
import { createSimulator, manualClock, type Simulator } from "../../src/simulator/index.ts";

interface Delivery {
  event: string;
  body: {
    action: string;
    projects_v2?: WebhookProjectV2;
    projects_v2_item?: WebhookProjectV2Item;
    changes?: { field_value?: WebhookFieldValueChange };
  };
}

const clock = manualClock(Date.UTC(2026, 5, 1, 10));
let sim: Simulator;
let receiver: ReturnType<typeof Bun.serve>;
const deliveries: Delivery[] = [];

async function gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await sim.fetch(
    new Request("http://sim.test/graphql", {
      method: "POST",
      headers: { authorization: "bearer sim-token" },
      body: JSON.stringify({ query, variables }),
    }),
  );
  const body = (await res.json()) as { data: T; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data;
}

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    async fetch(req) {
      deliveries.push({ event: req.headers.get("x-github-event") ?? "", body: await req.json() });
      return new Response(null, { status: 204 });
    },
  });
  sim = createSimulator({ clock, baseUrl: "http://sim.test" });
  sim.control.seedRepository({ owner: "octo-org", name: "hooks", issues: 30, project: { items: 12 } });
  sim.control.addHook({ org: "octo-org", url: `http://127.0.0.1:${receiver.port}/hook`, events: ["*"] });
});

afterAll(() => receiver.stop(true));

describe("webhook mappers agree with the GraphQL mappers", () => {
  test("projects_v2_item field value changes, archive, and projects_v2 edits", async () => {
    const project = [...sim.state.projects.values()][0];
    if (!project) throw new Error("no project");
    const ref = { owner: "octo-org", number: project.number };
    const items = [...project.items.values()];
    const field = (name: string) => {
      const f = project.fields.find((x) => x.name === name);
      if (!f) throw new Error(`no field ${name}`);
      return f;
    };
    const [a, b, c] = items;
    if (!a || !b || !c) throw new Error("too few items");
    const c1 = sim.control;
    c1.setProjectFieldValue({ ...ref, item: a.nodeId, field: "Notes", value: { text: "from the hook" } });
    c1.setProjectFieldValue({ ...ref, item: a.nodeId, field: "Estimate", value: { number: 5 } });
    c1.setProjectFieldValue({ ...ref, item: b.nodeId, field: "Due", value: { date: "2026-07-01" } });
    const option = field("Priority").options[1];
    const sprint = field("Sprint").iterations[2];
    if (!option || !sprint) throw new Error("seed lacks options or iterations");
    c1.setProjectFieldValue({
      ...ref,
      item: b.nodeId,
      field: "Priority",
      value: { singleSelectOptionId: option.id },
    });
    c1.setProjectFieldValue({ ...ref, item: c.nodeId, field: "Sprint", value: { iterationId: sprint.id } });
    c1.setProjectFieldValue({ ...ref, item: c.nodeId, field: "Notes", value: null });
    c1.archiveProjectItem({ ...ref, item: c.nodeId });
    c1.editProject({ ...ref, title: "Renamed", shortDescription: "Short", readme: "Readme", public: true });
    await sim.flushWebhooks();

    const pulled = await gql<ProjectItemsResult>(PROJECT_ITEMS_QUERY, { id: project.nodeId, first: 100 });
    const rows = new Map(
      (pulled.node?.items?.nodes ?? []).flatMap((n) => (n ? [[n.id, mapProjectItem(n).row] as const] : [])),
    );

    const itemEvents = deliveries.filter((d) => d.event === "projects_v2_item");
    const edits = itemEvents.filter((d) => d.body.changes?.field_value);
    expect(edits.length).toBe(6);
    // The last edit of each (item, field) is the current value, which the pull must agree with.
    const last = new Map<string, { item: string; change: WebhookFieldValueChange }>();
    for (const d of edits) {
      const change = d.body.changes?.field_value;
      const item = d.body.projects_v2_item?.node_id;
      if (change && item) last.set(`${item}|${change.field_node_id}`, { item, change });
    }
    for (const { item, change } of last.values()) {
      const mapped = mapWebhookFieldValue(change);
      expect(mapped.value).toEqual(rows.get(item)?.fieldValues[change.field_node_id] ?? null);
    }

    // The item header a payload carries equals the pulled one, for each item's latest event.
    const latest = new Map<string, WebhookProjectV2Item>();
    for (const d of itemEvents)
      if (d.body.projects_v2_item) latest.set(d.body.projects_v2_item.node_id, d.body.projects_v2_item);
    expect(latest.size).toBe(3);
    for (const payload of latest.values()) {
      const { projectNodeId, ...header } = mapWebhookProjectItem(payload);
      expect(projectNodeId).toBe(project.nodeId);
      const row = rows.get(payload.node_id);
      if (!row) throw new Error("item not pulled");
      const { title: _t, fieldValues: _v, ...pulledHeader } = row;
      expect(header).toEqual(pulledHeader);
    }
    expect(rows.get(c.nodeId)?.archived).toBe(true);

    const projectEvents = deliveries.filter((d) => d.event === "projects_v2" && d.body.action === "edited");
    const payload = projectEvents.at(-1)?.body.projects_v2;
    if (!payload) throw new Error("no projects_v2 edited delivery");
    const listed = await gql<RepositoryProjectsResult>(REPOSITORY_PROJECTS_QUERY, {
      owner: "octo-org",
      name: "hooks",
      first: 10,
    });
    const node = listed.repository?.projectsV2.nodes?.[0] as GqlProject;
    const { url: _url, ...fromPull } = mapProject(node);
    const { url, ...fromHook } = mapWebhookProject(payload);
    expect(url).toBeNull();
    expect(fromHook).toEqual(fromPull);
  });
});
