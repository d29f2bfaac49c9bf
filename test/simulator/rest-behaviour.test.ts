/** REST behaviour rules from the reference: pagination, since, filters, updated_at, state_reason, 301/410/422. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { manualClock, type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";

const clock = manualClock(Date.UTC(2026, 3, 1, 9));
let s: RunningSimulator;
const H = { authorization: "token sim-token" };

type Issue = {
  id: number;
  number: number;
  updated_at: string;
  state: string;
  state_reason: string | null;
  pull_request?: unknown;
  labels: Array<{ name: string }>;
  milestone: { number: number } | null;
  assignees: Array<{ login: string }>;
  user: { login: string };
};

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(path.startsWith("http") ? path : `${s.url}${path}`, {
    headers: { ...H, ...headers },
    redirect: "manual",
  });
  const text = await res.text();
  return { res, body: (text ? JSON.parse(text) : null) as unknown };
}

async function send(method: string, path: string, body: unknown, raw = false) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: H,
    body: raw ? String(body) : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await res.text();
  return { res, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

function links(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (res.headers.get("link") ?? "").matchAll(/<([^>]+)>; rel="(\w+)"/g))
    out[m[2] ?? ""] = m[1] ?? "";
  return out;
}

beforeAll(async () => {
  s = await startSimulator({ clock, rateLimits: { secondary: { restPointsPerMinute: 100_000 } } });
  s.sim.control.seedRepository({ owner: "octo-org", name: "big", issues: 250, milestones: 3, labels: 6 });
  s.sim.control.seedRepository({ owner: "octo-org", name: "target", issues: 2 });
});

afterAll(() => s.stop());

describe("pagination", () => {
  test("Link header: next/last on the first page, prev/first on the last, URLs by repository id", async () => {
    const repoId = s.sim.state.findRepo("octo-org", "big")?.repo.id;
    const first = await get("/repos/octo-org/big/issues?state=all&per_page=100");
    const l1 = links(first.res);
    expect(Object.keys(l1).sort()).toEqual(["last", "next"]);
    expect(l1.next).toStartWith(`${s.url}/repositories/${repoId}/issues?`);
    expect(new URL(l1.last ?? "").searchParams.get("page")).toBe("3");
    const last = await get(l1.last ?? "");
    expect(Object.keys(links(last.res)).sort()).toEqual(["first", "prev"]);
    expect((last.body as Issue[]).length).toBe(50);
  });

  test("following next visits every issue once; pull requests are interleaved with a pull_request key", async () => {
    const seen: Issue[] = [];
    let next: string | undefined =
      "/repos/octo-org/big/issues?state=all&per_page=100&sort=updated&direction=asc";
    while (next) {
      const page = await get(next);
      seen.push(...(page.body as Issue[]));
      next = links(page.res).next;
    }
    expect(seen.length).toBe(250);
    expect(new Set(seen.map((i) => i.id)).size).toBe(250);
    const times = seen.map((i) => Date.parse(i.updated_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const prs = seen.filter((i) => i.pull_request);
    expect(prs.length).toBeGreaterThan(0);
    expect(prs.length).toBeLessThan(250);
  });

  test("the last page of a state-filtered listing agrees with the number of matching issues", async () => {
    const repo = s.sim.state.findRepo("octo-org", "big")?.repo;
    const open = [...(repo?.issues.values() ?? [])].filter((i) => i.state === "open").length;
    const first = await get("/repos/octo-org/big/issues?per_page=7");
    const last = links(first.res).last ?? "";
    const lastPage = Number(new URL(last).searchParams.get("page"));
    const tail = (await get(last)).body as Issue[];
    expect((lastPage - 1) * 7 + tail.length).toBe(open);
  });

  test("per_page defaults to 30 and is capped at 100; no Link when everything fits", async () => {
    expect(((await get("/repos/octo-org/big/issues?state=all")).body as Issue[]).length).toBe(30);
    expect(((await get("/repos/octo-org/big/issues?state=all&per_page=500")).body as Issue[]).length).toBe(
      100,
    );
    const small = await get("/repos/octo-org/target/issues?state=all");
    expect(small.res.headers.get("link")).toBeNull();
  });
});

describe("listing filters", () => {
  test("since keeps updated_at >= since, inclusive", async () => {
    const all = (
      await get("/repos/octo-org/big/issues?state=all&per_page=100&sort=updated&direction=asc&page=2")
    ).body as Issue[];
    const pivot = all[10]?.updated_at ?? "";
    const since = (
      await get(`/repos/octo-org/big/issues?state=all&per_page=100&sort=updated&direction=asc&since=${pivot}`)
    ).body as Issue[];
    expect(since[0]?.updated_at).toBe(pivot);
    expect(since.every((i) => i.updated_at >= pivot)).toBe(true);
    const desc = (await get(`/repos/octo-org/big/issues?state=all&per_page=100&sort=created&since=${pivot}`))
      .body as Issue[];
    expect(desc.every((i) => i.updated_at >= pivot)).toBe(true);
  });

  test("state, milestone, labels, assignee and creator", async () => {
    const q = (query: string) =>
      get(`/repos/octo-org/big/issues?per_page=100&${query}`).then((r) => r.body as Issue[]);
    expect((await q("state=closed")).every((i) => i.state === "closed")).toBe(true);
    expect((await q("")).every((i) => i.state === "open")).toBe(true);
    expect((await q("state=all&milestone=none")).every((i) => i.milestone === null)).toBe(true);
    expect((await q("state=all&milestone=*")).every((i) => i.milestone !== null)).toBe(true);
    expect((await q("state=all&milestone=2")).every((i) => i.milestone?.number === 2)).toBe(true);
    const bugs = await q("state=all&labels=bug");
    expect(bugs.length).toBeGreaterThan(0);
    expect(bugs.every((i) => i.labels.some((l) => l.name === "bug"))).toBe(true);
    expect(
      (await q("state=all&assignee=hubot")).every((i) => i.assignees.some((a) => a.login === "hubot")),
    ).toBe(true);
    expect((await q("state=all&assignee=none")).every((i) => i.assignees.length === 0)).toBe(true);
    expect((await q("state=all&creator=monalisa")).every((i) => i.user.login === "monalisa")).toBe(true);
    const bad = await get("/repos/octo-org/big/issues?state=bogus");
    expect(bad.res.status).toBe(422);
  });
});

describe("writes", () => {
  test("POST answers 201 with Location; updated_at moves on every change, even within one second", async () => {
    const created = await send("POST", "/repos/octo-org/big/issues", { title: "t" });
    expect(created.res.status).toBe(201);
    expect(created.res.headers.get("location")).toBe(created.body.url as string);
    const path = `/repos/octo-org/big/issues/${created.body.number}`;
    const a = await send("PATCH", path, { title: "t1" });
    const b = await send("PATCH", path, { title: "t2" });
    expect(Date.parse(b.body.updated_at as string)).toBeGreaterThan(Date.parse(a.body.updated_at as string));
    const c = await send("PATCH", path, { title: "t2" });
    expect(c.body.updated_at).toBe(b.body.updated_at);
  });

  test("state_reason: closing defaults to completed, reopening records reopened, ignored without a state change", async () => {
    const created = await send("POST", "/repos/octo-org/big/issues", { title: "sr" });
    const path = `/repos/octo-org/big/issues/${created.body.number}`;
    expect((await send("PATCH", path, { state_reason: "not_planned" })).body).toMatchObject({
      state: "open",
      state_reason: null,
    });
    expect((await send("PATCH", path, { state: "closed" })).body).toMatchObject({
      state: "closed",
      state_reason: "completed",
    });
    const reopened = await send("PATCH", path, { state: "open" });
    expect(reopened.body).toMatchObject({ state: "open", state_reason: "reopened", closed_at: null });
    expect((await send("PATCH", path, { state: "closed", state_reason: "not_planned" })).body).toMatchObject({
      state_reason: "not_planned",
    });
    expect((await send("PATCH", path, { state: "closed", state_reason: "bogus" })).res.status).toBe(422);
  });

  test("labels and assignees replace the set; [] clears", async () => {
    const created = await send("POST", "/repos/octo-org/big/issues", {
      title: "sets",
      labels: ["bug", "question"],
      assignees: ["hubot"],
    });
    const path = `/repos/octo-org/big/issues/${created.body.number}`;
    const patched = await send("PATCH", path, { labels: ["enhancement"], assignees: [] });
    expect((patched.body.labels as Array<{ name: string }>).map((l) => l.name)).toEqual(["enhancement"]);
    expect(patched.body.assignees).toEqual([]);
    expect(patched.body.assignee).toBeNull();
  });

  test("422 Validation Failed bodies and 400 for bad JSON", async () => {
    const missing = await send("POST", "/repos/octo-org/big/issues", { body: "no title" });
    expect(missing.res.status).toBe(422);
    expect(missing.body).toMatchObject({
      message: "Validation Failed",
      errors: [{ resource: "Issue", field: "title", code: "missing_field" }],
    });
    const milestone = await send("POST", "/repos/octo-org/big/issues", { title: "x", milestone: 999 });
    expect(milestone.body.errors).toEqual([
      { resource: "Issue", field: "milestone", code: "invalid", value: 999 },
    ]);
    const colour = await send("POST", "/repos/octo-org/big/labels", { name: "c", color: "red" });
    expect(colour.body.errors).toEqual([{ resource: "Label", code: "invalid", field: "color" }]);
    const dup = await send("POST", "/repos/octo-org/big/labels", { name: "BUG" });
    expect(dup.body.errors).toEqual([{ resource: "Label", code: "already_exists", field: "name" }]);
    const json = await send("POST", "/repos/octo-org/big/issues", "{nope", true);
    expect(json.res.status).toBe(400);
    expect(json.body.message).toBe("Problems parsing JSON");
  });
});

describe("gone, moved and disabled", () => {
  test("a deleted issue is 410 and drops out of since lists", async () => {
    const created = await send("POST", "/repos/octo-org/big/issues", { title: "to delete" });
    const n = created.body.number as number;
    s.sim.control.deleteIssue({ owner: "octo-org", repo: "big", number: n });
    expect((await get(`/repos/octo-org/big/issues/${n}`)).res.status).toBe(410);
    const recent = (
      await get(`/repos/octo-org/big/issues?state=all&sort=updated&since=${created.body.updated_at}`)
    ).body as Issue[];
    expect(recent.some((i) => i.number === n)).toBe(false);
  });

  test("a transferred issue is 301 to its new home, by repository id", async () => {
    const repo = s.sim.state.findRepo("octo-org", "big")?.repo;
    const n = [...(repo?.issues.values() ?? [])].find((i) => !i.pullRequest)?.number ?? 0;
    const moved = s.sim.control.transferIssue({
      owner: "octo-org",
      repo: "big",
      number: n,
      to: "octo-org/target",
    });
    const r = await get(`/repos/octo-org/big/issues/${n}`);
    expect(r.res.status).toBe(301);
    const location = r.res.headers.get("location") ?? "";
    expect(location).toBe(
      `${s.url}/repositories/${s.sim.state.findRepo("octo-org", "target")?.repo.id}/issues/${moved.number}`,
    );
    const there = await get(location);
    expect(there.res.status).toBe(200);
    expect((there.body as Issue).id).toBe(moved.id as number);
  });

  test("a renamed repository answers 301 for GET and 307 for writes, to /repositories/{id}", async () => {
    s.sim.control.seedRepository({ owner: "octo-org", name: "old-name", issues: 1 });
    const { id } = s.sim.control.renameRepository({ owner: "octo-org", repo: "old-name", name: "new-name" });
    const r = await get("/repos/octo-org/old-name");
    expect(r.res.status).toBe(301);
    expect(r.res.headers.get("location")).toBe(`${s.url}/repositories/${id}`);
    expect(r.body).toMatchObject({ message: "Moved Permanently", url: `${s.url}/repositories/${id}` });
    expect(((await get(r.res.headers.get("location") ?? "")).body as { full_name: string }).full_name).toBe(
      "octo-org/new-name",
    );
    const w = await send("PATCH", "/repos/octo-org/old-name/issues/1", { title: "x" });
    expect(w.res.status).toBe(307);
    expect(w.res.headers.get("location")).toBe(`${s.url}/repositories/${id}/issues/1`);
  });

  test("issues disabled: 410 with the message clients match", async () => {
    s.sim.control.setIssuesEnabled({ owner: "octo-org", repo: "target", enabled: false });
    const r = await get("/repos/octo-org/target/issues");
    expect(r.res.status).toBe(410);
    expect((r.body as { message: string }).message).toBe("Issues are disabled for this repo");
    s.sim.control.setIssuesEnabled({ owner: "octo-org", repo: "target", enabled: true });
  });

  test("unknown token is 401 Bad credentials; unknown repository 404", async () => {
    const r = await get("/repos/octo-org/big", { authorization: "token nope" });
    expect(r.res.status).toBe(401);
    expect((r.body as { message: string }).message).toBe("Bad credentials");
    expect((await get("/repos/octo-org/missing")).res.status).toBe(404);
  });
});

describe("control API over HTTP", () => {
  test("POST /_sim/{op} performs the operation; GET /_sim/counters reports requests by route", async () => {
    const res = await fetch(`${s.url}/_sim/editIssue`, {
      method: "POST",
      body: JSON.stringify({
        owner: "octo-org",
        repo: "big",
        number: 7,
        title: "from github.com",
        as: "monalisa",
      }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { title: string }).title).toBe("from github.com");
    const counters = (await (await fetch(`${s.url}/_sim/counters`)).json()) as {
      requestsByRoute: Record<string, number>;
    };
    expect(counters.requestsByRoute["GET /repos/{owner}/{repo}/issues"]).toBeGreaterThan(0);
    expect((await fetch(`${s.url}/_sim/nope`, { method: "POST" })).status).toBe(404);
  });
});
