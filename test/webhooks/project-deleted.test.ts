/** projects_v2_item.deleted (and projects_v2.deleted) keep the mirrored row as a tombstone. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { githubProjectItems, githubProjects, webhookEvents } from "../../src/db/schema.ts";
import { silentLogger } from "../../src/logger.ts";
import { applyPendingAccountEvents } from "../../src/webhooks/apply-account-events.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedProject } from "../support/seed.ts";
import { deliveryRequest, examples, RECEIVER, webhookApp } from "./support.ts";

describe("deleted projects and items", () => {
  let database: TestDatabase;
  let app: ReturnType<typeof webhookApp>;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    app = webhookApp(database);
  });
  afterAll(() => database.drop());

  test("an item deleted on GitHub is tombstoned, then the project", async () => {
    const [created] = (await examples(["projects_v2_item"])).filter((e) => e.payload.action === "created");
    const item = created!.payload.projects_v2_item as { node_id: string; project_node_id: string };
    const project = await seedProject(database.db, { nodeId: item.project_node_id, title: "Board" });
    await database.db
      .insert(githubProjectItems)
      .values({ projectId: project.id, nodeId: item.node_id, contentType: "DraftIssue", title: "Draft" });

    const send = async (event: string, payload: unknown) => {
      const res = await app.handle(await deliveryRequest(RECEIVER, { event, body: JSON.stringify(payload) }));
      expect(res.status).toBe(202);
    };
    await send("projects_v2_item", { ...created!.payload, action: "deleted" });
    await applyPendingAccountEvents({ db: database.db, log: silentLogger });
    const [row] = await database.db
      .select()
      .from(githubProjectItems)
      .where(eq(githubProjectItems.nodeId, item.node_id));
    expect(row?.deletedAt).not.toBeNull();

    await send("projects_v2", {
      action: "deleted",
      projects_v2: { id: 1, node_id: item.project_node_id, title: "Board", number: 1 },
      organization: created!.payload.organization,
      sender: created!.payload.sender,
    });
    await applyPendingAccountEvents({ db: database.db, log: silentLogger });
    const [board] = await database.db.select().from(githubProjects).where(eq(githubProjects.id, project.id));
    expect(board?.deletedAt).not.toBeNull();
    const statuses = (await database.db.select().from(webhookEvents)).map((e) => e.processingStatus);
    expect(statuses).toEqual(["processed", "processed"]);
  });
});
