/**
 * Application: received order with "never older" wins, failures retried with backoff and visible, the fence,
 * and installation events tracking repositories in App mode.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { OwnershipLostError } from "../../src/actors/fence.ts";
import { githubIssues, type Repository, repositories, webhookEvents } from "../../src/db/schema.ts";
import { silentLogger } from "../../src/logger.ts";
import { applyInstallationEvent } from "../../src/webhooks/apply/installation.ts";
import { applyPendingEvents } from "../../src/webhooks/apply-pending.ts";
import { availableDrivers, createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedRepository } from "../support/seed.ts";
import { waitFor } from "../support/wait.ts";
import { deliveryRequest, examples, RECEIVER, webhookApp } from "./support.ts";

const [opened] = (await examples(["issues"])).filter((e) => e.payload.action === "opened");
const [installed] = (await examples(["installation"])).filter((e) => e.payload.action === "created");
const exampleInstallationId = (installed!.payload.installation as { id: number }).id;
const issue = opened!.payload.issue as Record<string, unknown>;
const issueEvent = (title: string, updatedAt: string, action = "edited") => ({
  ...opened!.payload,
  action,
  issue: { ...issue, title, updated_at: updatedAt },
});

for (const driver of availableDrivers()) {
  describe(`applying stored events [${driver}]`, () => {
    let database: TestDatabase;
    let app: ReturnType<typeof webhookApp>;
    let repo: Repository;
    let clock = Date.now();
    const apply = (epoch = 0) =>
      applyPendingEvents({
        db: database.db,
        fence: { repositoryId: repo.id, epoch },
        repositoryId: repo.id,
        log: silentLogger,
        now: () => clock,
      });
    const deliver = async (event: string, payload: unknown, delivery?: string) => {
      const res = await app.handle(
        await deliveryRequest(RECEIVER, { event, body: JSON.stringify(payload), delivery }),
      );
      expect(res.status).toBeLessThan(300);
    };
    const event = async (delivery: string) =>
      (
        await database.db.select().from(webhookEvents).where(eq(webhookEvents.githubDeliveryId, delivery))
      )[0]!;
    const mirroredTitle = async () =>
      (
        await database.db
          .select()
          .from(githubIssues)
          .where(eq(githubIssues.githubId, issue.id as number))
      )[0]?.title;

    beforeAll(async () => {
      database = await createTestDatabase(driver);
      app = webhookApp(database, {
        env: {
          GITHUB_APP_ID: "1",
          GITHUB_APP_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\\nx\\n-----END PRIVATE KEY-----",
          // The installation this service syncs: the one GitHub's example installation events name.
          GITHUB_APP_INSTALLATION_ID: String(exampleInstallationId),
        },
      });
      repo = await seedRepository(database.db, "codertocat/hello-world");
    });
    afterAll(async () => {
      await database.drop();
    });

    test("an older payload received later never overwrites a newer row", async () => {
      await deliver("issues", issueEvent("newer", "2030-01-02T00:00:00Z"));
      await deliver("issues", issueEvent("older", "2030-01-01T00:00:00Z"));
      expect(await apply()).toEqual({ processed: 2, failed: 0 });
      expect(await mirroredTitle()).toBe("newer");
    });

    test("a lost lease writes nothing and leaves the events pending", async () => {
      await deliver("issues", issueEvent("stale owner", "2030-01-03T00:00:00Z"), "fenced");
      await database.db.update(repositories).set({ leaseEpoch: 1 }).where(eq(repositories.id, repo.id));
      await expect(apply(0)).rejects.toBeInstanceOf(OwnershipLostError);
      expect((await event("fenced")).processingStatus).toBe("pending");
      expect(await mirroredTitle()).toBe("newer");
      expect(await apply(1)).toEqual({ processed: 1, failed: 0 });
      expect(await mirroredTitle()).toBe("stale owner");
      await database.db.update(repositories).set({ leaseEpoch: 0 }).where(eq(repositories.id, repo.id));
    });

    test("a failing event is marked failed with a backoff, does not hold back the rest, and is retried when due", async () => {
      await deliver("issues", { action: "edited", repository: opened!.payload.repository }, "broken");
      await deliver("issues", issueEvent("after the broken one", "2030-01-04T00:00:00Z"), "fine");
      expect(await apply()).toEqual({ processed: 1, failed: 1 });
      const failed = await event("broken");
      expect(failed).toMatchObject({ processingStatus: "failed", retryCount: 1 });
      expect(failed.errorMessage).toContain("no issue");
      expect(failed.nextRetryAt!.getTime()).toBeGreaterThan(clock);
      expect(await mirroredTitle()).toBe("after the broken one");

      // Not due yet: untouched.
      expect(await apply()).toEqual({ processed: 0, failed: 0 });
      // Due: tried again, fails again, backs off further.
      clock = failed.nextRetryAt!.getTime();
      expect(await apply()).toEqual({ processed: 0, failed: 1 });
      const again = await event("broken");
      expect(again.retryCount).toBe(2);
      expect(again.nextRetryAt!.getTime() - clock).toBeGreaterThan(
        failed.nextRetryAt!.getTime() - failed.processedAt!.getTime(),
      );
      // Visible to operators.
      const res = await app.handle(new Request("http://localhost/api/v1/webhooks/events?status=failed"));
      const listed = (await res.json()) as {
        data: { delivery_id: string; retry_count: number; error_message: string }[];
      };
      expect(listed.data).toEqual([expect.objectContaining({ delivery_id: "broken", retry_count: 2 })]);
    });

    test("App mode: installation events track and untrack repositories", async () => {
      const [created] = (await examples(["installation"])).filter((e) => e.payload.action === "created");
      const installationId = (created!.payload.installation as { id: number }).id;
      const repos = created!.payload.repositories as { full_name: string }[];
      await deliver("installation", created!.payload, "installed");
      await waitFor(async () => (await event("installed")).processingStatus === "processed", {
        what: "installation",
      });
      const tracked = await database.db
        .select()
        .from(repositories)
        .where(eq(repositories.installationId, installationId));
      expect(tracked.map((r) => r.fullName).sort()).toEqual(
        repos.map((r) => r.full_name.toLowerCase()).sort(),
      );
      expect(tracked.every((r) => r.enabled)).toBe(true);

      const removed = repos[0]!;
      const change = await applyInstallationEvent(database.db, {
        eventType: "installation_repositories",
        action: "removed",
        payload: { action: "removed", installation: { id: installationId }, repositories_removed: [removed] },
      });
      expect(change.untracked).toEqual([removed.full_name.toLowerCase()]);
      await applyInstallationEvent(database.db, {
        eventType: "installation",
        action: "deleted",
        payload: { action: "deleted", installation: { id: installationId } },
      });
      const enabled = await database.db
        .select()
        .from(repositories)
        .where(and(eq(repositories.installationId, installationId), eq(repositories.enabled, true)));
      expect(enabled).toEqual([]);
    });
  });
}
