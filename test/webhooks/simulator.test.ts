/**
 * The receiver on a real port, fed by the simulator's signed deliveries: dropped deliveries reach the mirror
 * through the deliveries sweep and redelivery; reordered and duplicated deliveries end in the newest state;
 * an oversized body is refused while the client is still sending it.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { connect } from "node:net";
import { and, eq } from "drizzle-orm";
import { githubIssues, type Repository, webhookEvents } from "../../src/db/schema.ts";
import { createGitHubClient } from "../../src/github/client.ts";
import { silentLogger } from "../../src/logger.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import { applyPendingEvents } from "../../src/webhooks/apply-pending.ts";
import { sweepDeliveries } from "../../src/webhooks/sweep-deliveries.ts";
import { availableDrivers, createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedRepository } from "../support/seed.ts";
import { SECRET, webhookApp } from "./support.ts";

// Deliveries, sweeps and redeliveries over real HTTP: seconds each on a slow 2-core runner.
setDefaultTimeout(30_000);

const OWNER = "octo-org";
const REPO = "sandbox";

for (const driver of availableDrivers()) {
  describe(`deliveries from the simulator [${driver}]`, () => {
    let database: TestDatabase;
    let sim: RunningSimulator;
    let server: ReturnType<typeof Bun.serve>;
    let repo: Repository;
    let hookId = 0;

    const apply = () =>
      applyPendingEvents({
        db: database.db,
        fence: { repositoryId: repo.id, epoch: 0 },
        repositoryId: repo.id,
        log: silentLogger,
      });
    const mirrored = async (number: number) => {
      const [row] = await database.db
        .select()
        .from(githubIssues)
        .where(and(eq(githubIssues.repositoryId, repo.id), eq(githubIssues.number, number)));
      return row;
    };
    const onGitHub = async (number: number) => {
      const res = await fetch(`${sim.url}/repos/${OWNER}/${REPO}/issues/${number}`, {
        headers: { authorization: "token sim-token" },
      });
      return (await res.json()) as {
        title: string;
        state: string;
        updated_at: string;
        labels: { name: string }[];
      };
    };

    beforeAll(async () => {
      database = await createTestDatabase(driver);
      const app = webhookApp(database);
      server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => app.handle(req) });
      sim = await startSimulator({ port: 0 });
      sim.sim.control.seedRepository({ owner: OWNER, name: REPO, issues: 5 });
      hookId = sim.sim.control.addHook({
        owner: OWNER,
        repo: REPO,
        url: `http://127.0.0.1:${server.port}/api/v1/webhooks/github`,
        secret: SECRET,
        events: ["*"],
      }).id;
      repo = await seedRepository(database.db, `${OWNER}/${REPO}`);
    });
    afterAll(async () => {
      await sim.stop();
      await server.stop(true);
      await database.drop();
    });

    test("dropped deliveries are found by the sweep, redelivered, and reach the mirror", async () => {
      sim.sim.control.setWebhookFaults({ dropRate: 1 });
      for (const number of [1, 2, 3]) {
        sim.sim.control.editIssue({ owner: OWNER, repo: REPO, number, title: `Dropped edit of #${number}` });
      }
      sim.sim.control.editIssue({ owner: OWNER, repo: REPO, number: 4, state: "closed" });
      await sim.sim.flushWebhooks();
      expect(await database.db.select().from(webhookEvents)).toHaveLength(0);
      sim.sim.control.setWebhookFaults({});

      const client = createGitHubClient({ baseUrl: sim.url, auth: { kind: "token", token: "sim-token" } });
      const sweep = () =>
        sweepDeliveries({
          client,
          db: database.db,
          hooks: [{ owner: OWNER, repo: REPO, hookId }],
          since: new Date(Date.now() - 3_600_000),
          log: silentLogger,
        });
      const first = await sweep();
      expect(first).toMatchObject({ failed: 4, redelivered: 4, alreadyStored: 0, errors: [] });
      await sim.sim.flushWebhooks();
      expect(await apply()).toEqual({ processed: 4, failed: 0 });
      for (const number of [1, 2, 3, 4]) {
        const github = await onGitHub(number);
        const row = await mirrored(number);
        expect(row).toMatchObject({
          title: github.title,
          state: github.state,
          updatedAt: new Date(github.updated_at),
        });
      }
      expect((await mirrored(2))?.title).toBe("Dropped edit of #2");
      // Nothing left to ask for: the redelivered GUIDs are stored now.
      expect(await sweep()).toMatchObject({ failed: 4, redelivered: 0, alreadyStored: 4 });
    });

    test("reordered and duplicated deliveries end in the newest state", async () => {
      const before = new Set((await database.db.select().from(webhookEvents)).map((e) => e.githubDeliveryId));
      const delivered = sim.sim.control.counters().webhooksDelivered;
      sim.sim.control.setWebhookFaults({ reorderWindow: 4, duplicateRate: 1 });
      for (const n of [1, 2, 3, 4]) {
        sim.sim.control.editIssue({
          owner: OWNER,
          repo: REPO,
          number: 5,
          title: `Version ${n}`,
          labels: [`v${n}`],
        });
      }
      await sim.sim.flushWebhooks();
      sim.sim.control.setWebhookFaults({});
      const res = await fetch(`${sim.url}/repos/${OWNER}/${REPO}/hooks/${hookId}/deliveries?per_page=100`, {
        headers: { authorization: "token sim-token" },
      });
      const attempts = ((await res.json()) as { guid: string }[]).filter((d) => !before.has(d.guid));
      const guids = new Set(attempts.map((d) => d.guid));
      // Every delivery was sent (and answered 2xx) twice, newest first; each GUID is stored once.
      expect(sim.sim.control.counters().webhooksDelivered - delivered).toBe(2 * guids.size);
      const stored = (await database.db.select().from(webhookEvents)).filter(
        (e) => !before.has(e.githubDeliveryId),
      );
      expect(new Set(stored.map((e) => e.githubDeliveryId))).toEqual(guids);
      await apply();
      const github = await onGitHub(5);
      expect(github.title).toBe("Version 4");
      expect(await mirrored(5)).toMatchObject({
        title: "Version 4",
        labels: ["v4"],
        updatedAt: new Date(github.updated_at),
      });
    });

    test("an oversized body is answered 413 while the client is still sending it", async () => {
      const declared = 30 * 1024 * 1024;
      const chunk = Buffer.alloc(64 * 1024, 32);
      const result = await new Promise<{ head: string; sent: number }>((resolve, reject) => {
        let sent = 0;
        let answer = "";
        const socket = connect(server.port ?? 0, "127.0.0.1", () => {
          socket.write(
            [
              "POST /api/v1/webhooks/github HTTP/1.1",
              `Host: 127.0.0.1:${server.port}`,
              "Content-Type: application/json",
              "X-GitHub-Event: issues",
              "X-GitHub-Delivery: oversize",
              `X-Hub-Signature-256: sha256=${"0".repeat(64)}`,
              `Content-Length: ${declared}`,
              "",
              "",
            ].join("\r\n"),
          );
          // Send the body in small pieces, each after the previous one drained, until the server answers.
          const pump = () => {
            if (answer || socket.destroyed || sent >= declared) return;
            sent += chunk.length;
            if (socket.write(chunk)) queueMicrotask(pump);
            else socket.once("drain", pump);
          };
          pump();
        });
        socket.on("data", (data) => {
          answer += data.toString();
          if (answer.includes("\r\n\r\n")) {
            socket.destroy();
            resolve({ head: answer, sent });
          }
        });
        socket.on("error", (error) => (answer ? undefined : reject(error)));
      });
      expect(result.head.startsWith("HTTP/1.1 413")).toBe(true);
      expect(result.sent).toBeLessThan(declared);
    });
  });
}
