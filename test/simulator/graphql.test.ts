/** POST /graphql: schema validation, Projects v2 queries and mutations, cursors, cost and RATE_LIMITED. */
import { beforeAll, describe, expect, test } from "bun:test";
import { createSimulator, manualClock, type Simulator } from "../../src/simulator/index.ts";

const clock = manualClock(Date.UTC(2026, 5, 1, 10));
let sim: Simulator;

type GqlResult = { data?: Record<string, unknown> | null; errors?: Array<Record<string, unknown>> };

async function gql(query: string, variables: Record<string, unknown> = {}, token = "sim-token") {
  const res = await sim.fetch(
    new Request("http://sim.test/graphql", {
      method: "POST",
      headers: { authorization: `bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    }),
  );
  return { status: res.status, headers: res.headers, body: (await res.json()) as GqlResult };
}

// biome-ignore lint/suspicious/noExplicitAny: test-only access into untyped GraphQL results.
const data = (r: { body: GqlResult }): any => {
  expect(r.body.errors).toBeUndefined();
  return r.body.data;
};

const PROJECT = `query($n: Int!) { organization(login: "octo-org") { id projectV2(number: $n) {
  id number title closed
  fields(first: 30) { nodes {
    __typename
    ... on ProjectV2FieldCommon { id name dataType }
    ... on ProjectV2SingleSelectField { options { id name } }
    ... on ProjectV2IterationField { configuration { duration iterations { id title startDate duration } completedIterations { id } } }
  } }
  items(first: 100) { totalCount nodes { id type isArchived
    content { __typename ... on Issue { id number title state stateReason } ... on PullRequest { id number } ... on DraftIssue { id title body } }
    fieldValues(first: 30) { nodes {
      __typename
      ... on ProjectV2ItemFieldTextValue { text field { ... on ProjectV2FieldCommon { name } } }
      ... on ProjectV2ItemFieldNumberValue { number }
      ... on ProjectV2ItemFieldDateValue { date }
      ... on ProjectV2ItemFieldSingleSelectValue { name optionId field { ... on ProjectV2FieldCommon { name } } }
      ... on ProjectV2ItemFieldIterationValue { title iterationId startDate duration }
      ... on ProjectV2ItemFieldLabelValue { labels(first: 10) { nodes { name } } }
      ... on ProjectV2ItemFieldMilestoneValue { milestone { title number } }
      ... on ProjectV2ItemFieldUserValue { users(first: 10) { nodes { login } } }
    } } } }
} } rateLimit { cost limit remaining used resetAt } }`;

beforeAll(() => {
  sim = createSimulator({
    clock,
    baseUrl: "http://sim.test",
    tokens: { "sim-token": "octocat", poor: "monalisa" },
  });
  sim.control.seedRepository({ owner: "octo-org", name: "sandbox", issues: 80, project: { items: 40 } });
});

describe("queries", () => {
  test("a project with every field kind, items, field values and content", async () => {
    const d = data(await gql(PROJECT, { n: 1 }));
    const p = d.organization.projectV2;
    const kinds = p.fields.nodes.map((f: { dataType: string }) => f.dataType);
    for (const k of [
      "TITLE",
      "ASSIGNEES",
      "LABELS",
      "MILESTONE",
      "TEXT",
      "NUMBER",
      "DATE",
      "SINGLE_SELECT",
      "ITERATION",
    ]) {
      expect(kinds).toContain(k);
    }
    const sprint = p.fields.nodes.find((f: { name: string }) => f.name === "Sprint");
    expect(sprint.configuration.iterations.length + sprint.configuration.completedIterations.length).toBe(3);
    expect(p.fields.nodes.find((f: { name: string }) => f.name === "Priority").options.length).toBe(4);
    expect(p.items.totalCount).toBe(42);
    const typenames = new Set<string>();
    for (const item of p.items.nodes) for (const v of item.fieldValues.nodes) typenames.add(v.__typename);
    for (const t of [
      "ProjectV2ItemFieldTextValue",
      "ProjectV2ItemFieldSingleSelectValue",
      "ProjectV2ItemFieldIterationValue",
      "ProjectV2ItemFieldNumberValue",
      "ProjectV2ItemFieldDateValue",
    ]) {
      expect(typenames).toContain(t);
    }
    const contents = new Set(
      p.items.nodes.map((i: { content: { __typename: string } }) => i.content.__typename),
    );
    expect(contents).toContain("Issue");
    expect(contents).toContain("DraftIssue");
    // fields 1 + items 1 + fieldValues 100 + labels 100×30 + users 100×30 = 6,102 requests → 61 points.
    expect(d.rateLimit).toMatchObject({ cost: 61, limit: 5000, used: 61, remaining: 4939 });
  });

  test("projectsV2, repository.projectsV2, node(id) and user(login)", async () => {
    const d = data(
      await gql(`{ organization(login:"octo-org"){ projectsV2(first:10){ totalCount nodes { number } } }
        repository(owner:"octo-org", name:"sandbox"){ projectsV2(first:5){ nodes { title } } } }`),
    );
    expect(d.organization.projectsV2.totalCount).toBe(1);
    expect(d.repository.projectsV2.nodes[0].title).toBe("sandbox roadmap");
    const item = [...(sim.state.projects.values().next().value?.items.values() ?? [])][0];
    const n = data(
      await gql(`query($id:ID!){ node(id:$id){ __typename ... on ProjectV2Item { id type } } }`, {
        id: item?.nodeId,
      }),
    );
    expect(n.node).toEqual({ __typename: "ProjectV2Item", id: item?.nodeId, type: "ISSUE" });
    const u = await gql(`{ user(login:"octocat"){ login projectsV2(first:5){ totalCount } } }`);
    expect(data(u).user).toEqual({ login: "octocat", projectsV2: { totalCount: 0 } });
  });

  test("cursor pagination visits every item once", async () => {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const d = data(
        await gql(
          `query($a:String){ organization(login:"octo-org"){ projectV2(number:1){ items(first:15, after:$a){ pageInfo{ hasNextPage endCursor } nodes{ id } } } } }`,
          { a: after },
        ),
      );
      const items = d.organization.projectV2.items;
      ids.push(...items.nodes.map((x: { id: string }) => x.id));
      if (!items.pageInfo.hasNextPage) break;
      after = items.pageInfo.endCursor;
    }
    expect(ids.length).toBe(42);
    expect(new Set(ids).size).toBe(42);
  });
});

describe("errors in GitHub's shape", () => {
  test("a query that does not validate against the schema", async () => {
    const r = await gql(`{ organization(login:"octo-org"){ projectV2(number:1){ nope } } }`);
    expect(r.status).toBe(200);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]).toMatchObject({
      message: "Field 'nope' doesn't exist on type 'ProjectV2'",
      extensions: { code: "undefinedField", typeName: "ProjectV2", fieldName: "nope" },
    });
  });

  test("NOT_FOUND, missing and excessive pagination", async () => {
    expect((await gql(`{ organization(login:"ghost"){ id } }`)).body.errors?.[0]?.type).toBe("NOT_FOUND");
    const missing = await gql(
      `{ organization(login:"octo-org"){ projectV2(number:1){ items { totalCount } } } }`,
    );
    expect(missing.body.errors?.[0]?.type).toBe("MISSING_PAGINATION_BOUNDARIES");
    const excessive = await gql(
      `{ organization(login:"octo-org"){ projectV2(number:1){ items(first:101) { totalCount } } } }`,
    );
    expect(excessive.body.errors?.[0]?.type).toBe("EXCESSIVE_PAGINATION");
  });
});

describe("cost and rate limiting", () => {
  test("cost: requests per connection, assuming full pages, divided by 100", async () => {
    const q = `{ organization(login:"octo-org"){ projectsV2(first:100){ nodes { items(first:100){ nodes { fieldValues(first:10){ totalCount } } } } } } rateLimit { cost } }`;
    // 1 (projectsV2) + 100 (items per project) + 100*100 (fieldValues per item) = 10,101 requests → 101 points.
    expect(data(await gql(q)).rateLimit.cost).toBe(101);
  });

  test("over the limit: HTTP 200 with errors[].type RATE_LIMITED; the window resets", async () => {
    sim.control.setRateLimit({
      token: "poor",
      resource: "graphql",
      limit: 2,
      remaining: 2,
      windowSeconds: 3600,
    });
    const q = `{ viewer { login } }`;
    expect((await gql(q, {}, "poor")).body.data).toEqual({ viewer: { login: "monalisa" } });
    await gql(q, {}, "poor");
    const limited = await gql(q, {}, "poor");
    expect(limited.status).toBe(200);
    expect(limited.body.errors?.[0]?.type).toBe("RATE_LIMITED");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(limited.headers.get("x-ratelimit-resource")).toBe("graphql");
    clock.advance(3600_000);
    expect((await gql(q, {}, "poor")).body.errors).toBeUndefined();
  });
});

describe("mutations", () => {
  const projectId = () => sim.state.projects.values().next().value?.nodeId ?? "";
  const field = (name: string) =>
    sim.state.projects
      .values()
      .next()
      .value?.fields.find((f) => f.name === name);

  test("addProjectV2ItemById returns the existing item when the content is already in the project", async () => {
    const issue = sim.state.findRepo("octo-org", "sandbox")?.repo.issues.get(70);
    const add = `mutation($p:ID!,$c:ID!){ addProjectV2ItemById(input:{projectId:$p, contentId:$c}){ item { id content { ... on Issue { number } ... on PullRequest { number } } } } }`;
    const first = data(await gql(add, { p: projectId(), c: issue?.nodeId })).addProjectV2ItemById.item;
    const second = data(await gql(add, { p: projectId(), c: issue?.nodeId })).addProjectV2ItemById.item;
    expect(second.id).toBe(first.id);
    expect(first.content.number).toBe(70);
  });

  test("update and clear field values; labels/assignees/milestone fields cannot be set", async () => {
    const item = [...(sim.state.projects.values().next().value?.items.values() ?? [])][0];
    const upd = `mutation($p:ID!,$i:ID!,$f:ID!,$v:ProjectV2FieldValue!){ updateProjectV2ItemFieldValue(input:{projectId:$p,itemId:$i,fieldId:$f,value:$v}){
      projectV2Item { fieldValueByName(name:"Estimate"){ ... on ProjectV2ItemFieldNumberValue { number } } } } }`;
    const set = data(
      await gql(upd, { p: projectId(), i: item?.nodeId, f: field("Estimate")?.nodeId, v: { number: 13 } }),
    );
    expect(set.updateProjectV2ItemFieldValue.projectV2Item.fieldValueByName).toEqual({ number: 13 });
    const clear = data(
      await gql(
        `mutation($p:ID!,$i:ID!,$f:ID!){ clearProjectV2ItemFieldValue(input:{projectId:$p,itemId:$i,fieldId:$f}){ projectV2Item { fieldValueByName(name:"Estimate"){ __typename } } } }`,
        {
          p: projectId(),
          i: item?.nodeId,
          f: field("Estimate")?.nodeId,
        },
      ),
    );
    expect(clear.clearProjectV2ItemFieldValue.projectV2Item.fieldValueByName).toBeNull();
    const labels = await gql(upd, {
      p: projectId(),
      i: item?.nodeId,
      f: field("Labels")?.nodeId,
      v: { text: "x" },
    });
    expect(labels.body.errors?.[0]?.message).toMatch(/not supported/);
    const badOption = await gql(upd, {
      p: projectId(),
      i: item?.nodeId,
      f: field("Priority")?.nodeId,
      v: { singleSelectOptionId: "nope" },
    });
    expect(badOption.body.errors?.length).toBe(1);
  });

  test("archive, delete, create and update a project", async () => {
    const items = [...(sim.state.projects.values().next().value?.items.values() ?? [])];
    const archived = data(
      await gql(
        `mutation($p:ID!,$i:ID!){ archiveProjectV2Item(input:{projectId:$p,itemId:$i}){ item { isArchived } } }`,
        { p: projectId(), i: items[1]?.nodeId },
      ),
    );
    expect(archived.archiveProjectV2Item.item.isArchived).toBe(true);
    const deleted = data(
      await gql(
        `mutation($p:ID!,$i:ID!){ deleteProjectV2Item(input:{projectId:$p,itemId:$i}){ deletedItemId } }`,
        { p: projectId(), i: items[2]?.nodeId },
      ),
    );
    expect(deleted.deleteProjectV2Item.deletedItemId).toBe(items[2]?.nodeId);
    const org = sim.state.usersByLogin.get("octo-org");
    const created = data(
      await gql(
        `mutation($o:ID!){ createProjectV2(input:{ownerId:$o, title:"New board"}){ projectV2 { id number title fields(first:20){ totalCount } } } }`,
        { o: org?.nodeId },
      ),
    );
    expect(created.createProjectV2.projectV2).toMatchObject({ number: 2, title: "New board" });
    const updated = data(
      await gql(
        `mutation($p:ID!){ updateProjectV2(input:{projectId:$p, title:"Renamed", closed:true}){ projectV2 { title closed } } }`,
        { p: created.createProjectV2.projectV2.id },
      ),
    );
    expect(updated.updateProjectV2.projectV2).toEqual({ title: "Renamed", closed: true });
  });
});

describe("linking projects to repositories", () => {
  const repoProjects = `query($o:String!,$n:String!){ repository(owner:$o, name:$n){ projectsV2(first:50){ nodes { id title } } } }`;

  test("createProjectV2 with repositoryId links the project; another owner's repository is refused", async () => {
    sim.control.seedRepository({ owner: "octo-org", name: "linked", issues: 2 });
    sim.control.seedRepository({ owner: "someone-else", name: "theirs", issues: 1 });
    const org = sim.state.usersByLogin.get("octo-org");
    const linked = sim.state.findRepo("octo-org", "linked")?.repo;
    const theirs = sim.state.findRepo("someone-else", "theirs")?.repo;
    const create = `mutation($o:ID!,$r:ID,$t:String!){ createProjectV2(input:{ownerId:$o, title:$t, repositoryId:$r}){ projectV2 { id title } } }`;
    const made = data(await gql(create, { o: org?.nodeId, r: linked?.nodeId, t: "Linked board" }));
    const listed = data(await gql(repoProjects, { o: "octo-org", n: "linked" }));
    expect(listed.repository.projectsV2.nodes).toEqual([made.createProjectV2.projectV2]);

    const before = sim.state.projects.size;
    const refused = await gql(create, { o: org?.nodeId, r: theirs?.nodeId, t: "Cross-owner" });
    expect(refused.body.errors?.[0]?.type).toBe("UNPROCESSABLE");
    expect(sim.state.projects.size).toBe(before);
  });

  test("linkProjectV2ToRepository links an existing project, once", async () => {
    sim.control.seedRepository({ owner: "octo-org", name: "later", issues: 1 });
    const org = sim.state.usersByLogin.get("octo-org");
    const later = sim.state.findRepo("octo-org", "later")?.repo;
    const made = data(
      await gql(
        `mutation($o:ID!){ createProjectV2(input:{ownerId:$o, title:"Unlinked"}){ projectV2 { id } } }`,
        {
          o: org?.nodeId,
        },
      ),
    ).createProjectV2.projectV2;
    expect(data(await gql(repoProjects, { o: "octo-org", n: "later" })).repository.projectsV2.nodes).toEqual(
      [],
    );
    const link = `mutation($p:ID!,$r:ID!){ linkProjectV2ToRepository(input:{projectId:$p, repositoryId:$r}){ repository { nameWithOwner } } }`;
    for (let i = 0; i < 2; i++) {
      const answer = data(await gql(link, { p: made.id, r: later?.nodeId }));
      expect(answer.linkProjectV2ToRepository.repository.nameWithOwner).toBe("octo-org/later");
    }
    const nodes = data(await gql(repoProjects, { o: "octo-org", n: "later" })).repository.projectsV2.nodes;
    expect(nodes.map((n: { id: string }) => n.id)).toEqual([made.id]);
  });

  test("an owner's projectsV2 honours orderBy", async () => {
    const q = `query($d:OrderDirection!){ organization(login:"octo-org"){ projectsV2(first:100, orderBy:{field:NUMBER, direction:$d}){ nodes { number } } } }`;
    const asc = data(await gql(q, { d: "ASC" })).organization.projectsV2.nodes.map(
      (n: { number: number }) => n.number,
    );
    const desc = data(await gql(q, { d: "DESC" })).organization.projectsV2.nodes.map(
      (n: { number: number }) => n.number,
    );
    expect(asc.length).toBeGreaterThan(2);
    expect(desc).toEqual([...asc].reverse());
  });
});
