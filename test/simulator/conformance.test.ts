/**
 * Every REST route the simulator serves answers with a status and body that validate against that operation's
 * response schema in @octokit/openapi. Real HTTP: the simulator listens on port 0.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { manualClock, type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import { type AppKeys, generateAppKeys } from "./support/app-keys.ts";
import { type Listener, startListener } from "./support/listener.ts";
import { assertRestConforms } from "./support/schemas.ts";

let s: RunningSimulator;
let keys: AppKeys;
let listener: Listener;
const clock = manualClock(Date.UTC(2026, 2, 1, 12));
const covered = new Set<string>();
const TOKEN = { authorization: "token sim-token" };

/** Calls `path`, validates against `route`'s OpenAPI operation, and marks the route as covered. */
async function call(
  route: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const method = route.split(" ")[0] ?? "GET";
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { ...TOKEN, ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    redirect: "manual",
  });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  assertRestConforms(method, route.slice(method.length + 1), res.status, body);
  covered.add(route);
  return { status: res.status, body, headers: res.headers };
}

beforeAll(async () => {
  keys = await generateAppKeys();
  listener = startListener();
  s = await startSimulator({
    clock,
    app: {
      id: 4242,
      clientId: "Iv1.sim",
      slug: "sync-app",
      name: "Sync App",
      owner: "octo-org",
      publicKey: keys.publicKeyPem,
      webhook: { url: listener.url, secret: "app-secret" },
    },
  });
  s.sim.control.seedRepository({ owner: "octo-org", name: "sandbox", issues: 60, project: true });
  s.sim.control.seedRepository({ owner: "octo-org", name: "other", issues: 3 });
  s.sim.control.addHook({ owner: "octo-org", repo: "sandbox", url: listener.url, secret: "s3cret" });
  s.sim.control.addHook({
    org: "octo-org",
    url: listener.url,
    secret: "s3cret",
    events: ["projects_v2_item"],
  });
  s.sim.control.installApp({ account: "octo-org" });
});

afterAll(async () => {
  await s.stop();
  await listener.stop();
});

describe("REST responses conform to @octokit/openapi", () => {
  test("repositories, users, rate limit", async () => {
    expect((await call("GET /repos/{owner}/{repo}", "/repos/octo-org/sandbox")).status).toBe(200);
    expect((await call("GET /repos/{owner}/{repo}", "/repos/octo-org/nope")).status).toBe(404);
    expect((await call("GET /user", "/user")).status).toBe(200);
    expect((await call("GET /users/{username}", "/users/hubot")).status).toBe(200);
    expect((await call("GET /rate_limit", "/rate_limit")).status).toBe(200);
  });

  test("issues: list, get, create, update, 301, 404, 410, 422", async () => {
    const list = await call(
      "GET /repos/{owner}/{repo}/issues",
      "/repos/octo-org/sandbox/issues?state=all&per_page=100",
    );
    expect((list.body as unknown[]).length).toBe(60);
    expect(
      (await call("GET /repos/{owner}/{repo}/issues/{issue_number}", "/repos/octo-org/sandbox/issues/1"))
        .status,
    ).toBe(200);
    const created = await call("POST /repos/{owner}/{repo}/issues", "/repos/octo-org/sandbox/issues", {
      body: { title: "New", body: "b", labels: ["bug"], assignees: ["hubot"], milestone: 1 },
    });
    expect(created.status).toBe(201);
    const n = (created.body as { number: number }).number;
    const bad = await call("POST /repos/{owner}/{repo}/issues", "/repos/octo-org/sandbox/issues", {
      body: { body: "x" },
    });
    expect(bad.status).toBe(422);
    const patched = await call(
      "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
      `/repos/octo-org/sandbox/issues/${n}`,
      {
        body: { state: "closed", state_reason: "not_planned", title: "Renamed" },
      },
    );
    expect(patched.status).toBe(200);
    const badPatch = await call(
      "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
      `/repos/octo-org/sandbox/issues/${n}`,
      {
        body: { milestone: 999 },
      },
    );
    expect(badPatch.status).toBe(422);
    s.sim.control.deleteIssue({ owner: "octo-org", repo: "sandbox", number: 2 });
    expect(
      (await call("GET /repos/{owner}/{repo}/issues/{issue_number}", "/repos/octo-org/sandbox/issues/2"))
        .status,
    ).toBe(410);
    s.sim.control.transferIssue({ owner: "octo-org", repo: "sandbox", number: 3, to: "octo-org/other" });
    expect(
      (await call("GET /repos/{owner}/{repo}/issues/{issue_number}", "/repos/octo-org/sandbox/issues/3"))
        .status,
    ).toBe(301);
    expect(
      (await call("GET /repos/{owner}/{repo}/issues/{issue_number}", "/repos/octo-org/sandbox/issues/9999"))
        .status,
    ).toBe(404);
  });

  test("an issue's labels: list, add, set, remove one, remove all", async () => {
    const base = "/repos/octo-org/sandbox/issues/4/labels";
    expect((await call("GET /repos/{owner}/{repo}/issues/{issue_number}/labels", base)).status).toBe(200);
    expect(
      (
        await call("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", base, {
          body: { labels: ["bug", "question"] },
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call("PUT /repos/{owner}/{repo}/issues/{issue_number}/labels", base, {
          body: { labels: ["bug", "enhancement"] },
        })
      ).status,
    ).toBe(200);
    expect(
      (await call("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", `${base}/bug`)).status,
    ).toBe(200);
    expect(
      (await call("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", `${base}/bug`)).status,
    ).toBe(404);
    expect((await call("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels", base)).status).toBe(204);
  });

  test("labels CRUD and 422s", async () => {
    const base = "/repos/octo-org/sandbox/labels";
    expect((await call("GET /repos/{owner}/{repo}/labels", base)).status).toBe(200);
    expect(
      (
        await call("POST /repos/{owner}/{repo}/labels", base, {
          body: { name: "triage", color: "ff0000", description: "d" },
        })
      ).status,
    ).toBe(201);
    const dup = await call("POST /repos/{owner}/{repo}/labels", base, {
      body: { name: "Triage", color: "zzzzzz" },
    });
    expect(dup.status).toBe(422);
    expect((dup.body as { errors: unknown[] }).errors).toEqual([
      { resource: "Label", code: "already_exists", field: "name" },
      { resource: "Label", code: "invalid", field: "color" },
    ]);
    expect((await call("GET /repos/{owner}/{repo}/labels/{name}", `${base}/triage`)).status).toBe(200);
    expect(
      (
        await call("PATCH /repos/{owner}/{repo}/labels/{name}", `${base}/triage`, {
          body: { new_name: "needs triage", color: "00ff00" },
        })
      ).status,
    ).toBe(200);
    expect((await call("DELETE /repos/{owner}/{repo}/labels/{name}", `${base}/needs%20triage`)).status).toBe(
      204,
    );
    expect((await call("GET /repos/{owner}/{repo}/labels/{name}", `${base}/triage`)).status).toBe(404);
  });

  test("milestones CRUD and 422s", async () => {
    const base = "/repos/octo-org/sandbox/milestones";
    expect(
      (await call("GET /repos/{owner}/{repo}/milestones", `${base}?state=all&sort=completeness`)).status,
    ).toBe(200);
    const m = await call("POST /repos/{owner}/{repo}/milestones", base, {
      body: { title: "v9", due_on: "2026-06-01T00:00:00Z" },
    });
    expect(m.status).toBe(201);
    expect(
      (await call("POST /repos/{owner}/{repo}/milestones", base, { body: { description: "no title" } }))
        .status,
    ).toBe(422);
    const num = (m.body as { number: number }).number;
    expect(
      (await call("GET /repos/{owner}/{repo}/milestones/{milestone_number}", `${base}/${num}`)).status,
    ).toBe(200);
    expect(
      (
        await call("PATCH /repos/{owner}/{repo}/milestones/{milestone_number}", `${base}/${num}`, {
          body: { state: "closed" },
        })
      ).status,
    ).toBe(200);
    expect(
      (await call("DELETE /repos/{owner}/{repo}/milestones/{milestone_number}", `${base}/${num}`)).status,
    ).toBe(204);
    expect(
      (await call("GET /repos/{owner}/{repo}/milestones/{milestone_number}", `${base}/${num}`)).status,
    ).toBe(404);
  });

  test("hooks and deliveries (repository and organization)", async () => {
    const created = await call("POST /repos/{owner}/{repo}/hooks", "/repos/octo-org/sandbox/hooks", {
      body: { config: { url: listener.url, secret: "x" }, events: ["issues"] },
    });
    expect(created.status).toBe(201);
    const hookId = (created.body as { id: number }).id;
    expect((await call("GET /repos/{owner}/{repo}/hooks", "/repos/octo-org/sandbox/hooks")).status).toBe(200);
    expect(
      (await call("GET /repos/{owner}/{repo}/hooks/{hook_id}", `/repos/octo-org/sandbox/hooks/${hookId}`))
        .status,
    ).toBe(200);
    s.sim.control.editIssue({ owner: "octo-org", repo: "sandbox", number: 5, title: "edited for hooks" });
    await s.sim.flushWebhooks();
    const list = await call(
      "GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries",
      `/repos/octo-org/sandbox/hooks/${hookId}/deliveries`,
    );
    const first = (list.body as Array<{ id: number }>)[0];
    expect(first).toBeDefined();
    expect(
      (
        await call(
          "GET /repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}",
          `/repos/octo-org/sandbox/hooks/${hookId}/deliveries/${first?.id}`,
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await call(
          "POST /repos/{owner}/{repo}/hooks/{hook_id}/deliveries/{delivery_id}/attempts",
          `/repos/octo-org/sandbox/hooks/${hookId}/deliveries/${first?.id}/attempts`,
        )
      ).status,
    ).toBe(202);
    expect(
      (await call("DELETE /repos/{owner}/{repo}/hooks/{hook_id}", `/repos/octo-org/sandbox/hooks/${hookId}`))
        .status,
    ).toBe(204);

    const org = await call("POST /orgs/{org}/hooks", "/orgs/octo-org/hooks", {
      body: { config: { url: listener.url }, events: ["projects_v2_item"] },
    });
    expect(org.status).toBe(201);
    const orgHookId = (org.body as { id: number }).id;
    expect((await call("GET /orgs/{org}/hooks", "/orgs/octo-org/hooks")).status).toBe(200);
    expect((await call("GET /orgs/{org}/hooks/{hook_id}", `/orgs/octo-org/hooks/${orgHookId}`)).status).toBe(
      200,
    );
    const item = [...(s.sim.state.projects.values().next().value?.items.values() ?? [])][0];
    s.sim.control.archiveProjectItem({ owner: "octo-org", number: 1, item: item?.nodeId ?? "" });
    await s.sim.flushWebhooks();
    const od = await call(
      "GET /orgs/{org}/hooks/{hook_id}/deliveries",
      `/orgs/octo-org/hooks/${orgHookId}/deliveries?per_page=1`,
    );
    const d = (od.body as Array<{ id: number }>)[0];
    expect(
      (
        await call(
          "GET /orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}",
          `/orgs/octo-org/hooks/${orgHookId}/deliveries/${d?.id}`,
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await call(
          "POST /orgs/{org}/hooks/{hook_id}/deliveries/{delivery_id}/attempts",
          `/orgs/octo-org/hooks/${orgHookId}/deliveries/${d?.id}/attempts`,
        )
      ).status,
    ).toBe(202);
    await s.sim.flushWebhooks();
  });

  test("GitHub App: JWT endpoints, installation token, installation repositories, app hook deliveries", async () => {
    const now = Math.floor(clock.now() / 1000);
    const jwt = await keys.sign({ iat: now - 60, exp: now + 540, iss: 4242 });
    const auth = { authorization: `Bearer ${jwt}` };
    expect((await call("GET /app", "/app", { headers: auth })).status).toBe(200);
    const inst = await call("GET /app/installations", "/app/installations", { headers: auth });
    const id = (inst.body as Array<{ id: number }>)[0]?.id;
    expect(
      (await call("GET /app/installations/{installation_id}", `/app/installations/${id}`, { headers: auth }))
        .status,
    ).toBe(200);
    const tok = await call(
      "POST /app/installations/{installation_id}/access_tokens",
      `/app/installations/${id}/access_tokens`,
      { headers: auth },
    );
    expect(tok.status).toBe(201);
    const token = (tok.body as { token: string }).token;
    expect(
      (
        await call("GET /installation/repositories", "/installation/repositories", {
          headers: { authorization: `token ${token}` },
        })
      ).status,
    ).toBe(200);
    s.sim.control.editIssue({ owner: "octo-org", repo: "sandbox", number: 6, title: "for the app hook" });
    await s.sim.flushWebhooks();
    const list = await call("GET /app/hook/deliveries", "/app/hook/deliveries?status=success", {
      headers: auth,
    });
    const d = (list.body as Array<{ id: number }>)[0];
    expect(d).toBeDefined();
    expect(
      (
        await call("GET /app/hook/deliveries/{delivery_id}", `/app/hook/deliveries/${d?.id}`, {
          headers: auth,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(
          "POST /app/hook/deliveries/{delivery_id}/attempts",
          `/app/hook/deliveries/${d?.id}/attempts`,
          { headers: auth },
        )
      ).status,
    ).toBe(202);
    await s.sim.flushWebhooks();
  });

  test("every REST route served was validated", () => {
    const rest = s.sim.routes.filter((r) => r !== "POST /graphql");
    expect(rest.filter((r) => !covered.has(r))).toEqual([]);
  });
});
