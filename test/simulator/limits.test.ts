/**
 * Conditional requests, primary and secondary rate limits, App JWT and installation-token rules. Windows and
 * expiry are crossed with the injected clock, never by waiting.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { manualClock, type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import { type AppKeys, generateAppKeys } from "./support/app-keys.ts";

const clock = manualClock(Date.UTC(2026, 4, 1, 8));
let s: RunningSimulator;
let keys: AppKeys;
const A = { authorization: "token token-a" };
const B = { authorization: "Bearer token-b" };

function req(path: string, headers: Record<string, string> = A, init: RequestInit = {}) {
  return fetch(`${s.url}${path}`, {
    ...init,
    headers: { ...headers, ...(init.headers as Record<string, string>) },
  });
}

const remaining = (r: Response) => Number(r.headers.get("x-ratelimit-remaining"));

beforeAll(async () => {
  keys = await generateAppKeys();
  s = await startSimulator({
    clock,
    tokens: { "token-a": "octocat", "token-b": "monalisa", "token-c": "hubot", "token-d": "defunkt" },
    app: {
      id: 77,
      clientId: "Iv1.abc",
      slug: "syncer",
      name: "Syncer",
      owner: "octo-org",
      publicKey: keys.publicKeyPem,
    },
  });
  s.sim.control.seedRepository({ owner: "octo-org", name: "r", issues: 40 });
});

afterAll(() => s.stop());

describe("conditional requests", () => {
  test("If-None-Match answers 304 without spending rate limit, with ETag and Vary", async () => {
    const first = await req("/repos/octo-org/r/issues?state=all");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^W\/"[0-9a-f]+"$/);
    const before = remaining(first);
    const notModifiedBefore = s.sim.control.counters().notModified;
    const again = await req("/repos/octo-org/r/issues?state=all", { ...A, "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("vary")).toContain("Authorization");
    expect(again.headers.get("cache-control")).toBe("private, max-age=60, s-maxage=60");
    expect(remaining(again)).toBe(before);
    expect(s.sim.control.counters().notModified).toBe(notModifiedBefore + 1);
    // A change invalidates it.
    s.sim.control.editIssue({ owner: "octo-org", repo: "r", number: 40, title: "changed" });
    expect((await req("/repos/octo-org/r/issues?state=all", { ...A, "if-none-match": etag })).status).toBe(
      200,
    );
  });

  test("ETags differ per token: one token's ETag does not validate another's request", async () => {
    const a = await req("/repos/octo-org/r/issues/1", A);
    const b = await req("/repos/octo-org/r/issues/1", B);
    expect(await a.text()).toBe(await b.text());
    expect(a.headers.get("etag")).not.toBe(b.headers.get("etag"));
    expect(
      (await req("/repos/octo-org/r/issues/1", { ...B, "if-none-match": a.headers.get("etag") ?? "" }))
        .status,
    ).toBe(200);
  });

  test("If-Modified-Since against Last-Modified", async () => {
    const a = await req("/repos/octo-org/r/issues/2");
    const lm = a.headers.get("last-modified") ?? "";
    expect(lm).not.toBe("");
    const r = await req("/repos/octo-org/r/issues/2", { ...A, "if-modified-since": lm });
    expect(r.status).toBe(304);
    expect(remaining(r)).toBe(remaining(a));
  });
});

describe("primary rate limit", () => {
  test("headers on every response; exhaustion gives 403 with GitHub's body; /rate_limit is free; the window resets", async () => {
    s.sim.control.setRateLimit({
      token: "token-c",
      resource: "core",
      limit: 3,
      remaining: 3,
      windowSeconds: 3600,
    });
    const C = { authorization: "token token-c" };
    for (let i = 0; i < 3; i++) expect((await req("/repos/octo-org/r", C)).status).toBe(200);
    const over = await req("/repos/octo-org/r", C);
    expect(over.status).toBe(403);
    expect(over.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(over.headers.get("x-ratelimit-used")).toBe("3");
    expect(over.headers.get("x-ratelimit-resource")).toBe("core");
    const reset = Number(over.headers.get("x-ratelimit-reset"));
    expect(reset * 1000).toBeGreaterThan(clock.now());
    expect(((await over.json()) as { message: string }).message).toStartWith(
      "API rate limit exceeded for user ID",
    );
    const rl = await req("/rate_limit", C);
    expect(rl.status).toBe(200);
    expect(
      ((await rl.json()) as { resources: { core: { remaining: number } } }).resources.core.remaining,
    ).toBe(0);
    clock.set(reset * 1000);
    const after = await req("/repos/octo-org/r", C);
    expect(after.status).toBe(200);
    expect(after.headers.get("x-ratelimit-remaining")).toBe("2");
  });

  test("429 when configured; other credentials keep their own budget", async () => {
    s.sim.control.setRateLimit({ token: "token-d", limit: 1, remaining: 0, exhaustedStatus: 429 });
    expect((await req("/repos/octo-org/r", { authorization: "token token-d" })).status).toBe(429);
    expect((await req("/repos/octo-org/r", A)).status).toBe(200);
    s.sim.control.setRateLimit({ exhaustedStatus: 403 });
  });
});

describe("secondary rate limits", () => {
  test("content creation per minute: 403 with retry-after, then allowed once the minute passes", async () => {
    s.sim.control.setSecondaryLimits({ contentPerMinute: 2 });
    const post = () =>
      req("/repos/octo-org/r/issues", B, { method: "POST", body: JSON.stringify({ title: "c" }) });
    expect((await post()).status).toBe(201);
    expect((await post()).status).toBe(201);
    const blocked = await post();
    expect(blocked.status).toBe(403);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await blocked.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    clock.advance(Number(blocked.headers.get("retry-after")) * 1000);
    expect((await post()).status).toBe(201);
    s.sim.control.setSecondaryLimits({ contentPerMinute: 80 });
  });

  test("concurrency cap: a request beyond the cap while others are in flight is refused with retry-after", async () => {
    s.sim.control.setSecondaryLimits({ maxConcurrent: 1 });
    // Injected latency holds the first request inside the simulator (past the concurrency check) while the
    // second arrives; both are issued before either is awaited.
    s.sim.control.injectFault({ route: "GET /repos/{owner}/{repo}/milestones", latencyMs: 1, times: 1 });
    const inFlight = s.sim.fetch(new Request(`${s.url}/repos/octo-org/r/milestones`, { headers: A }));
    const second = await s.sim.fetch(new Request(`${s.url}/repos/octo-org/r`, { headers: A }));
    expect(second.status).toBe(403);
    expect(second.headers.get("retry-after")).toBe("60");
    expect((await inFlight).status).toBe(200);
    s.sim.control.setSecondaryLimits({ maxConcurrent: 100 });
  });
});

describe("GitHub App authentication", () => {
  const now = () => Math.floor(clock.now() / 1000);

  test("JWT: valid claims work; exp too far, expired, iat in the future, wrong issuer or key are 401", async () => {
    const ok = await keys.sign({ iat: now() - 60, exp: now() + 540, iss: 77 });
    expect((await req("/app", { authorization: `Bearer ${ok}` })).status).toBe(200);
    expect(
      (
        await req("/app", {
          authorization: `Bearer ${await keys.sign({ iat: now() - 60, exp: now() + 540, iss: "Iv1.abc" })}`,
        })
      ).status,
    ).toBe(200);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ iat: now() - 60, exp: now() + 900, iss: 77 }, /too far in the future/],
      [{ iat: now() - 900, exp: now() - 300, iss: 77 }, /'exp'/],
      [{ iat: now() + 600, exp: now() + 900, iss: 77 }, /'iat'/],
      [{ iat: now() - 60, exp: now() + 500, iss: 78 }, /'iss'/],
    ];
    for (const [claims, message] of cases) {
      const r = await req("/app", { authorization: `Bearer ${await keys.sign(claims)}` });
      expect(r.status).toBe(401);
      expect(((await r.json()) as { message: string }).message).toMatch(message);
    }
    const other = await generateAppKeys();
    const forged = await other.sign({ iat: now() - 60, exp: now() + 500, iss: 77 });
    expect((await req("/app", { authorization: `Bearer ${forged}` })).status).toBe(401);
    expect((await req("/app", A)).status).toBe(401);
  });

  test("installation tokens: ghs_ prefix, expire after one hour, scoped to the installation's repositories", async () => {
    const { id } = s.sim.control.installApp({ account: "octo-org", repositories: ["r"] });
    const jwt = await keys.sign({ iat: now() - 60, exp: now() + 540, iss: 77 });
    const created = await req(
      `/app/installations/${id}/access_tokens`,
      { authorization: `Bearer ${jwt}` },
      { method: "POST" },
    );
    expect(created.status).toBe(201);
    const { token, expires_at } = (await created.json()) as { token: string; expires_at: string };
    expect(token).toStartWith("ghs_");
    expect(Date.parse(expires_at) - clock.now()).toBeGreaterThan(3599_000);
    const T = { authorization: `token ${token}` };
    const repos = await req("/installation/repositories", T);
    expect(((await repos.json()) as { total_count: number }).total_count).toBe(1);
    expect((await req("/repos/octo-org/r/issues", T)).headers.get("x-ratelimit-limit")).toBe("5000");
    clock.advance(3600_000);
    const expired = await req("/repos/octo-org/r/issues", T);
    expect(expired.status).toBe(401);
    expect(
      (
        await req(
          "/app/installations/999999/access_tokens",
          { authorization: `Bearer ${await keys.sign({ iat: now() - 60, exp: now() + 540, iss: 77 })}` },
          { method: "POST" },
        )
      ).status,
    ).toBe(404);
  });
});

describe("faults", () => {
  test("5xx rate, and a response dropped after the write committed", async () => {
    s.sim.control.injectFault({
      route: "GET /repos/{owner}/{repo}",
      errorRate: 1,
      errorStatus: 503,
      times: 1,
    });
    expect((await req("/repos/octo-org/r")).status).toBe(503);
    expect((await req("/repos/octo-org/r")).status).toBe(200);
    const repo = s.sim.state.findRepo("octo-org", "r")?.repo;
    const before = repo?.issues.size ?? 0;
    s.sim.control.injectFault({ route: "POST /repos/{owner}/{repo}/issues", dropResponseRate: 1, times: 1 });
    const lost = await req("/repos/octo-org/r/issues", A, {
      method: "POST",
      body: JSON.stringify({ title: "lost reply" }),
    })
      .then((r) => r.text())
      .then(
        () => "answered",
        () => "dropped",
      );
    expect(lost).toBe("dropped");
    expect(repo?.issues.size).toBe(before + 1);
  });
});
