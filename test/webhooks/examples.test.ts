/**
 * Every issues, milestone, label and projects_v2_item example GitHub published (@octokit/webhooks-examples) is
 * accepted when signed and, once applied, is what the mirror shows. Each example is checked on its own: the
 * mirror is emptied first, and the entity is put there by an earlier event of its own (an `edited` or
 * `created` copy of the same payload, delivered and applied the same way) so that deleted and transferred
 * have something to act on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import {
  githubIssues,
  githubLabels,
  githubMilestones,
  githubProjectItems,
  type Repository,
  webhookEvents,
} from "../../src/db/schema.ts";
import { type GitHubIssue, isPullRequest, mapIssue } from "../../src/github/mappers/issue.ts";
import { type GitHubLabel, mapLabel } from "../../src/github/mappers/label.ts";
import { type GitHubMilestone, mapMilestone } from "../../src/github/mappers/milestone.ts";
import { silentLogger } from "../../src/logger.ts";
import { applyPendingEvents } from "../../src/webhooks/apply-pending.ts";
import { availableDrivers, createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedProject, seedRepository } from "../support/seed.ts";
import { waitFor } from "../support/wait.ts";
import { deliveryRequest, type Example, examples, RECEIVER, webhookApp } from "./support.ts";

const all = await examples(["issues", "milestone", "label", "projects_v2_item"]);
const PRIOR: Record<string, string> = { issues: "edited", milestone: "created", label: "created" };

for (const driver of availableDrivers()) {
  describe(`GitHub's example payloads [${driver}]`, () => {
    let database: TestDatabase;
    let app: ReturnType<typeof webhookApp>;
    const repos = new Map<string, Repository>();

    beforeAll(async () => {
      database = await createTestDatabase(driver);
      app = webhookApp(database);
      const names = new Set(
        all.flatMap((e) => {
          const repo = e.payload.repository as { full_name?: string } | undefined;
          return repo?.full_name ? [repo.full_name.toLowerCase()] : [];
        }),
      );
      for (const name of names) repos.set(name, await seedRepository(database.db, name));
      const projects = new Set(
        all.flatMap((e) =>
          e.event === "projects_v2_item"
            ? [(e.payload.projects_v2_item as { project_node_id: string }).project_node_id]
            : [],
        ),
      );
      for (const nodeId of projects) await seedProject(database.db, { nodeId, ownerLogin: nodeId });
    });
    afterAll(async () => {
      await database.drop();
    });

    async function deliverAndApply(e: Pick<Example, "event">, payload: Record<string, unknown>) {
      const res = await app.handle(
        await deliveryRequest(RECEIVER, { event: e.event, body: JSON.stringify(payload) }),
      );
      expect(res.status).toBe(202);
      const body = (await res.json()) as { delivery: string; status: string };
      expect(body.status).toBe("pending");
      const repo = repos.get(String((payload.repository as { full_name?: string })?.full_name).toLowerCase());
      const stored = async () => {
        const [row] = await database.db
          .select()
          .from(webhookEvents)
          .where(eq(webhookEvents.githubDeliveryId, body.delivery));
        return row;
      };
      if (repo) {
        const result = await applyPendingEvents({
          db: database.db,
          fence: { repositoryId: repo.id, epoch: 0 },
          repositoryId: repo.id,
          log: silentLogger,
        });
        expect(result).toEqual({ processed: 1, failed: 0 });
      } else {
        // Account events (no repository) are applied by the receiving replica right after the commit.
        await waitFor(async () => (await stored())?.processingStatus !== "pending", {
          what: "account event applied",
        });
      }
      expect((await stored())?.processingStatus).toBe("processed");
      return repo;
    }

    for (const example of all) {
      const action = String(example.payload.action);
      test(`${example.event}.${action} #${example.index}`, async () => {
        await database.db.execute(
          sql`truncate github_issues, github_labels, github_milestones, github_project_items cascade`,
        );
        const prior = PRIOR[example.event];
        if (prior && (action === "deleted" || action === "transferred")) {
          await deliverAndApply(example, { ...example.payload, action: prior });
        }
        const repo = await deliverAndApply(example, example.payload);
        await expectMirrored(database, example, repo);
      });
    }
  });
}

async function expectMirrored(database: TestDatabase, e: Example, repo: Repository | undefined) {
  const db = database.db;
  const action = String(e.payload.action);
  if (e.event === "issues") {
    const issue = e.payload.issue as GitHubIssue;
    const [row] = await db.select().from(githubIssues).where(eq(githubIssues.githubId, issue.id));
    if (isPullRequest(issue)) return expect(row).toBeUndefined();
    expect(row).toBeDefined();
    const expected = mapIssue(repo!, issue);
    expect(row).toMatchObject({
      title: expected.title,
      state: expected.state,
      labels: expected.labels,
      assignees: expected.assignees,
      milestoneNumber: expected.milestoneNumber,
      locked: expected.locked,
      updatedAt: expected.updatedAt,
    });
    if (action === "deleted") expect(row!.deletedAt).not.toBeNull();
    else if (action === "transferred") {
      const changes = e.payload.changes as {
        new_issue: { number: number };
        new_repository: { full_name: string };
      };
      expect(row!.transferredTo).toBe(`${changes.new_repository.full_name}#${changes.new_issue.number}`);
      expect(row!.deletedAt).not.toBeNull();
    } else expect(row!.deletedAt).toBeNull();
    return;
  }
  if (e.event === "milestone") {
    const m = e.payload.milestone as GitHubMilestone;
    const [row] = await db.select().from(githubMilestones).where(eq(githubMilestones.githubId, m.id));
    const expected = mapMilestone(repo!, m);
    expect(row).toMatchObject({
      title: expected.title,
      state: expected.state,
      updatedAt: expected.updatedAt,
    });
    if (action === "deleted") expect(row!.deletedAt).not.toBeNull();
    else expect(row!.deletedAt).toBeNull();
    return;
  }
  if (e.event === "label") {
    const l = e.payload.label as GitHubLabel;
    const [row] = await db.select().from(githubLabels).where(eq(githubLabels.githubId, l.id));
    const expected = mapLabel(repo!, l);
    expect(row).toMatchObject({
      name: expected.name,
      color: expected.color,
      description: expected.description,
    });
    if (action === "deleted") expect(row!.deletedAt).not.toBeNull();
    else expect(row!.deletedAt).toBeNull();
    return;
  }
  const item = e.payload.projects_v2_item as {
    node_id: string;
    content_node_id: string;
    content_type: string;
    archived_at: string | null;
    updated_at: string;
  };
  const [row] = await db.select().from(githubProjectItems).where(eq(githubProjectItems.nodeId, item.node_id));
  expect(row).toMatchObject({
    contentNodeId: item.content_node_id,
    contentType: item.content_type,
    archived: item.archived_at !== null,
    updatedAt: new Date(item.updated_at),
    deletedAt: null,
  });
}
