/**
 * Bearer authentication: writes always need a token, reads only once API_TOKENS is set; no token or a wrong
 * one is a 401 with nothing written (and nothing read from the body first); the public paths and the signed
 * webhook receiver stay open; a sandbox started without API_TOKENS generates a token and logs it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asc, count } from "drizzle-orm";
import { authenticate, parseTokens } from "../../src/api/auth.ts";
import { githubIssues, outbox } from "../../src/db/schema.ts";
import { createLogger } from "../../src/logger.ts";
import { startService } from "../../src/service.ts";
import { testApp, testConfig } from "../support/app.ts";
import { availableDrivers, createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedIssue, seedRepository } from "../support/seed.ts";

interface Problem {
  status: number;
  detail: string;
}

const json = (body: unknown) => JSON.stringify(body);

describe("token matching", () => {
  const tokens = parseTokens(["ci:s3cret", "plain-token", "weird:"]);
  test("labelled and plain entries; only the whole secret matches", () => {
    expect(authenticate(tokens, "Bearer s3cret")).toBe("ci");
    expect(authenticate(tokens, "bearer plain-token")).toBe("api");
    expect(authenticate(tokens, "Bearer ci:s3cret")).toBeNull();
    expect(authenticate(tokens, "Bearer s3cre")).toBeNull();
    expect(authenticate(tokens, "Bearer s3crett")).toBeNull();
    expect(authenticate(tokens, "Basic s3cret")).toBeNull();
    expect(authenticate(tokens, "Bearer")).toBeNull();
    expect(authenticate(tokens, null)).toBeNull();
    // Not `label:secret` (empty secret): the entry is a plain token as written.
    expect(authenticate(tokens, "Bearer weird:")).toBe("api");
  });
});

for (const driver of availableDrivers()) {
  describe(`API_TOKENS set [${driver}]`, () => {
    let database: TestDatabase;
    let api: ReturnType<typeof testApp>;
    let issueId: string;

    beforeAll(async () => {
      database = await createTestDatabase(driver);
      api = testApp(database, { env: { API_TOKENS: "app:tok-1,tok-2", GITHUB_WEBHOOK_SECRET: "whsec" } });
      const repo = await seedRepository(database.db, "octo-org/alpha");
      issueId = (await seedIssue(database.db, repo, { title: "Unchanged" })).id;
    });
    afterAll(() => database.drop());

    const counts = async () => ({
      outbox: (await database.db.select({ n: count() }).from(outbox))[0]?.n ?? 0,
      issues: (await database.db.select({ n: count() }).from(githubIssues))[0]?.n ?? 0,
    });

    const writes: [string, string, string | undefined][] = [
      ["POST", "/api/v1/issues", json({ repository: "octo-org/alpha", title: "x" })],
      ["PUT", "/api/v1/issues/{issue}", json({ title: "Changed" })],
      ["DELETE", "/api/v1/issues/{issue}", undefined],
      ["POST", "/api/v1/milestones", json({ repository: "octo-org/alpha", title: "x" })],
      ["POST", "/api/v1/projects", json({ owner: "octo-org", title: "x" })],
      ["POST", "/api/v1/sync/trigger", json({ repository: "octo-org/alpha" })],
      // Refused before the body is read: neither 400 for the bad JSON nor 413 for the size.
      ["POST", "/api/v1/issues", "{not json"],
      ["POST", "/api/v1/issues", "x".repeat(2 * 1024 * 1024)],
    ];
    const authorizations: [string, Record<string, string>][] = [
      ["no token", {}],
      ["a wrong token", { authorization: "Bearer tok-3" }],
      ["a token by another scheme", { authorization: "Basic dG9rLTE=" }],
      ["the label instead of the token", { authorization: "Bearer app" }],
    ];

    for (const [what, headers] of authorizations) {
      test(`${what}: every write is 401 with WWW-Authenticate, nothing written`, async () => {
        const before = await counts();
        for (const [method, path, body] of writes) {
          const response = await api.request(path.replace("{issue}", issueId), {
            method,
            headers: { "content-type": "application/json", ...headers },
            body,
          });
          expect(`${method} ${path} ${response.status}`).toBe(`${method} ${path} 401`);
          expect(response.headers.get("www-authenticate")).toStartWith("Bearer");
          expect(response.headers.get("content-type")).toBe("application/problem+json");
          expect(((await response.json()) as Problem).status).toBe(401);
        }
        expect(await counts()).toEqual(before);
        const issue = await api.request(`/api/v1/issues/${issueId}`, {
          headers: { authorization: "Bearer tok-1" },
        });
        expect(((await issue.json()) as { title: string }).title).toBe("Unchanged");
      });
    }

    test("reads need a token too", async () => {
      for (const path of [
        "/api/v1/issues",
        `/api/v1/issues/${issueId}`,
        "/api/v1/repositories",
        "/api/v1/sync/status",
      ]) {
        expect((await api.request(path)).status).toBe(401);
        expect((await api.request(path, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
        expect((await api.request(path, { headers: { authorization: "Bearer tok-2" } })).status).toBe(200);
      }
    });

    test("a valid token writes, and the outbox records its label (or api for an unlabelled one)", async () => {
      for (const [token, label] of [
        ["tok-1", "app"],
        ["tok-2", "api"],
      ]) {
        const response = await api.request("/api/v1/issues", {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: json({ repository: "octo-org/alpha", title: `by ${token}` }),
        });
        expect(response.status).toBe(202);
        const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));
        expect(rows.at(-1)?.createdBy).toBe(label);
      }
    });

    test("health, version, metrics, Swagger and the signed webhook receiver need no bearer token", async () => {
      for (const path of ["/health", "/health/live", "/version", "/swagger", "/swagger/json"]) {
        expect(`${path} ${(await api.request(path)).status}`).toBe(`${path} 200`);
      }
      expect((await api.request("/metrics")).status).not.toBe(401);
      const webhook = await api.request("/api/v1/webhooks/github", {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": "ping", "x-github-delivery": "d-1" },
        body: "{}",
      });
      // Refused by the receiver for its missing signature, not by the bearer guard.
      expect(webhook.headers.get("www-authenticate")).toBeNull();
      expect(((await webhook.json()) as Problem).detail).toContain("X-Hub-Signature-256");
      // Only the receiver: the stored deliveries are an ordinary read.
      expect((await api.request("/api/v1/webhooks/events")).status).toBe(401);
    });

    test("Swagger documents the bearer scheme and each write's answers", async () => {
      const spec = (await (await api.request("/swagger/json")).json()) as {
        components: { securitySchemes: Record<string, { type: string; scheme: string }> };
        paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
      };
      expect(spec.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
      const writeOps: [string, string][] = [
        ["/api/v1/issues", "post"],
        ["/api/v1/issues/{id}", "put"],
        ["/api/v1/issues/{id}", "delete"],
        ["/api/v1/milestones", "post"],
        ["/api/v1/milestones/{id}", "put"],
        ["/api/v1/milestones/{id}", "delete"],
        ["/api/v1/projects", "post"],
        ["/api/v1/projects/{id}", "put"],
        ["/api/v1/projects/{id}", "delete"],
        ["/api/v1/projects/{id}/items", "post"],
        ["/api/v1/projects/{id}/items/{itemId}", "put"],
      ];
      for (const [path, method] of writeOps) {
        const op = spec.paths[path]?.[method];
        expect(op?.security).toEqual([{ bearer: [] }]);
        expect(Object.keys(op?.responses ?? {}).sort()).toEqual(
          ["202", "400", "401", "404", "409", "412", "413", "422"].sort(),
        );
      }
    });
  });
}

describe("no API_TOKENS", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    await seedRepository(database.db, "octo-org/alpha");
  });
  afterAll(() => database.drop());

  for (const [mode, env] of [
    ["with GitHub credentials", { GITHUB_TOKEN: "ghp_x" }],
    ["sandbox config used without service.ts", {}],
  ] as const) {
    test(`${mode}: reads are open, writes are 401 saying to set API_TOKENS`, async () => {
      const api = testApp(database, { env });
      expect((await api.request("/api/v1/issues")).status).toBe(200);
      const response = await api.request("/api/v1/issues", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer anything" },
        body: json({ repository: "octo-org/alpha", title: "x" }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toStartWith("Bearer");
      expect(((await response.json()) as Problem).detail).toContain("set API_TOKENS");
      expect((await database.db.select({ n: count() }).from(outbox))[0]?.n).toBe(0);
    });
  }
});

describe("sandbox start", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gt-sandbox-token-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test("generates a token and logs it on one line; it opens writes, reads stay open", async () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", write: (line) => lines.push(line) });
    const config = testConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      SYNC_INTERVAL_SECONDS: "3600",
    });
    expect(config.sandbox).toBe(true);
    const service = await startService(config, log);
    try {
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      const announced = messages.filter((msg) => msg.startsWith("Sandbox API token: "));
      expect(announced).toHaveLength(1);
      const token = announced[0]!.slice("Sandbox API token: ".length);
      expect(token.length).toBeGreaterThanOrEqual(32);
      // API_TOKENS is not set, so reads need no token; the generated one is for writes.
      expect((await fetch(`${service.url}/api/v1/issues?per_page=1`)).status).toBe(200);
      const write = (authorization?: string) =>
        fetch(`${service.url}/api/v1/issues`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
          body: json({ repository: "octo-org/sandbox", title: "From the sandbox token" }),
        });
      expect((await write()).status).toBe(401);
      expect((await write("Bearer not-the-token")).status).toBe(401);
      expect((await write(`Bearer ${token}`)).status).toBe(202);
      const rows = await service.database.db.select().from(outbox);
      expect(rows.map((r) => r.createdBy)).toEqual(["sandbox"]);
    } finally {
      await service.stop();
    }
  }, 60_000);
});
