/**
 * POST /api/v1/webhooks/github: what is refused (and then never stored), what is stored, and how it is
 * answered. GET /api/v1/webhooks/events reads it back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sign } from "@octokit/webhooks-methods";
import { eq } from "drizzle-orm";
import type { Repository } from "../../src/db/schema.ts";
import { webhookEvents } from "../../src/db/schema.ts";
import { availableDrivers, createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedRepository } from "../support/seed.ts";
import { deliveryRequest, examples, OLD_SECRET, RECEIVER, SECRET, webhookApp } from "./support.ts";

for (const driver of availableDrivers()) {
  describe(`webhook receiver [${driver}]`, () => {
    let database: TestDatabase;
    let app: ReturnType<typeof webhookApp>;
    let tracked: Repository;
    const wakes: { repositoryId: string; reason: string }[] = [];
    let issueBody = "";

    const count = async () => (await database.db.select().from(webhookEvents)).length;
    const post = async (d: Parameters<typeof deliveryRequest>[1]) =>
      app.handle(await deliveryRequest(RECEIVER, d));

    beforeAll(async () => {
      database = await createTestDatabase(driver);
      app = webhookApp(database, {
        runtime: {
          wake: async (repositoryId, reason) => {
            wakes.push({ repositoryId, reason });
          },
        },
      });
      tracked = await seedRepository(database.db, "codertocat/hello-world");
      const [opened] = (await examples(["issues"])).filter((e) => e.payload.action === "opened");
      issueBody = JSON.stringify(opened!.payload);
    });
    afterAll(async () => {
      await database.drop();
    });

    test("a signed event for a tracked repository is committed, answered 202, and wakes its actor", async () => {
      const res = await post({ event: "issues", body: issueBody, delivery: "accept-1" });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ delivery: "accept-1", status: "pending", duplicate: false });
      const [row] = await database.db
        .select()
        .from(webhookEvents)
        .where(eq(webhookEvents.githubDeliveryId, "accept-1"));
      expect(row).toMatchObject({
        eventType: "issues",
        action: "opened",
        repositoryId: tracked.id,
        repositoryFullName: "codertocat/hello-world",
        processingStatus: "pending",
        hookId: 1,
      });
      expect(row!.payload).toEqual(JSON.parse(issueBody));
      expect(wakes).toContainEqual({ repositoryId: tracked.id, reason: "webhook" });
    });

    test("the same X-GitHub-Delivery again: 200 duplicate, no second row", async () => {
      const before = await count();
      const res = await post({ event: "issues", body: issueBody, delivery: "accept-1" });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ duplicate: true });
      // Concurrent duplicates land in one group commit: still one row.
      const burst = await Promise.all(
        [1, 2, 3].map(() => post({ event: "issues", body: issueBody, delivery: "burst" })),
      );
      expect(burst.map((r) => r.status).sort()).toEqual([200, 200, 202]);
      expect(await count()).toBe(before + 1);
    });

    test("either rotating secret verifies", async () => {
      expect((await post({ event: "issues", body: issueBody, secret: OLD_SECRET })).status).toBe(202);
      expect((await post({ event: "issues", body: issueBody, secret: SECRET })).status).toBe(202);
    });

    test("bad, missing and SHA-1-only signatures: 401 problem+json, nothing stored", async () => {
      const before = await count();
      const sha1Only = await post({
        event: "issues",
        body: issueBody,
        secret: null,
        headers: { "x-hub-signature": "sha1=0123456789abcdef0123456789abcdef01234567" },
      });
      const responses = [
        await post({ event: "issues", body: issueBody, secret: "wrong secret" }),
        await post({ event: "issues", body: issueBody, secret: null }),
        sha1Only,
        await post({ event: "issues", body: issueBody, headers: { "x-hub-signature-256": "sha256=zz" } }),
        // Signed for a different body.
        await post({
          event: "issues",
          body: issueBody,
          headers: { "x-hub-signature-256": await sign(SECRET, `${issueBody} `) },
        }),
      ];
      for (const res of responses) {
        expect(res.status).toBe(401);
        expect(res.headers.get("content-type")).toContain("application/problem+json");
      }
      expect(((await sha1Only.json()) as { detail: string }).detail).toContain("SHA-1");
      expect(await count()).toBe(before);
    });

    test("no secret configured: 503, never accepted unsigned", async () => {
      const unconfigured = webhookApp(database, { env: { GITHUB_WEBHOOK_SECRET: "" } });
      const before = await count();
      const res = await unconfigured.handle(
        await deliveryRequest(RECEIVER, { event: "issues", body: issueBody }),
      );
      expect(res.status).toBe(503);
      expect(((await res.json()) as { detail: string }).detail).toContain("GITHUB_WEBHOOK_SECRET is not set");
      expect(await count()).toBe(before);
    });

    test("signed but not JSON: 400, nothing stored", async () => {
      const before = await count();
      const res = await post({ event: "issues", body: "{not json" });
      expect(res.status).toBe(400);
      expect(await count()).toBe(before);
    });

    test("over 25 MB by Content-Length: 413 before a byte of the body is read", async () => {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulled++;
          controller.enqueue(new Uint8Array(1024 * 1024));
        },
      });
      const res = await app.handle(
        new Request(RECEIVER, {
          method: "POST",
          headers: {
            "content-length": String(26 * 1024 * 1024),
            "x-github-event": "issues",
            "x-github-delivery": "huge",
            "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
          },
          body,
        }),
      );
      expect(res.status).toBe(413);
      expect(pulled).toBeLessThanOrEqual(1);
    });

    test("over 25 MB without Content-Length (chunked): cut off once past the cap", async () => {
      let sent = 0;
      const chunk = new Uint8Array(1024 * 1024).fill(32);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += chunk.byteLength;
          controller.enqueue(chunk);
          // An endless body: only the cap ends it.
        },
      });
      const res = await app.handle(
        new Request(RECEIVER, {
          method: "POST",
          headers: {
            "x-github-event": "issues",
            "x-github-delivery": "endless",
            "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
          },
          body,
        }),
      );
      expect(res.status).toBe(413);
      expect(sent).toBeGreaterThan(25 * 1024 * 1024);
      expect(sent).toBeLessThan(30 * 1024 * 1024);
    });

    test("untracked repositories and unknown event types are stored as ignored; ping is answered 200", async () => {
      const untracked = JSON.stringify({
        ...JSON.parse(issueBody),
        repository: { id: 1, full_name: "someone/else" },
      });
      const res = await post({ event: "issues", body: untracked, delivery: "untracked" });
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ status: "ignored" });
      const push = await post({
        event: "push",
        body: JSON.stringify({ ref: "refs/heads/main" }),
        delivery: "push",
      });
      expect(push.status).toBe(202);
      const [ping] = await examples(["ping"]);
      const pong = await post({ event: "ping", body: JSON.stringify(ping!.payload), delivery: "ping" });
      expect(pong.status).toBe(200);
      const rows = await database.db
        .select()
        .from(webhookEvents)
        .where(eq(webhookEvents.processingStatus, "ignored"));
      const byDelivery = new Map(rows.map((r) => [r.githubDeliveryId, r]));
      expect(byDelivery.get("untracked")).toMatchObject({
        repositoryId: null,
        errorMessage: "repository is not tracked",
      });
      expect(byDelivery.get("push")?.errorMessage).toContain("not mirrored");
      expect(byDelivery.get("ping")).toBeDefined();
    });

    test("GET /api/v1/webhooks/events: filters, pagination, payload only on request", async () => {
      const get = async (query: string) => {
        const res = await app.handle(new Request(`http://localhost/api/v1/webhooks/events?${query}`));
        expect(res.status).toBe(200);
        return (await res.json()) as {
          data: Record<string, unknown>[];
          pagination: { page: number; per_page: number; total: number; pages: number };
        };
      };
      const ignored = await get("status=ignored");
      expect(ignored.data.map((e) => e.delivery_id).sort()).toEqual(["ping", "push", "untracked"]);
      expect(ignored.data.every((e) => !("payload" in e))).toBe(true);
      const pushes = await get("event=push&include_payload=true");
      expect(pushes.data).toHaveLength(1);
      expect(pushes.data[0]?.payload).toEqual({ ref: "refs/heads/main" });
      const repo = await get("repository=Codertocat/Hello-World&per_page=2");
      expect(repo.data).toHaveLength(2);
      expect(repo.pagination.total).toBeGreaterThanOrEqual(4);
      expect(repo.pagination.pages).toBe(Math.ceil(repo.pagination.total / 2));
      expect(
        (await get(`since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).data,
      ).toEqual([]);
      const bad = await app.handle(new Request("http://localhost/api/v1/webhooks/events?status=nope"));
      expect(bad.status).toBe(422);
    });
  });
}
