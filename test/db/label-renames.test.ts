/**
 * GitHub renames a label on every issue that carries it, and removes a deleted label from them, without moving
 * those issues' updated_at: an incremental pull never re-reads them. The label write path (used by the pull
 * and by label.* webhooks) must carry the change over to the mirrored issues.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { githubIssues, githubLabels, type Issue, type Repository } from "../../src/db/schema.ts";
import { tombstoneLabel, tombstoneUnseenLabels, upsertLabels } from "../../src/db/writes/labels.ts";
import { mapLabel } from "../../src/github/mappers/label.ts";
import { availableDrivers, createTestDatabase, type TestDatabase } from "../support/db.ts";
import { seedIssue, seedRepository } from "../support/seed.ts";

const label = (id: number, name: string) => ({
  id,
  node_id: `LA_${id}`,
  name,
  color: "ededed",
  description: null,
  default: false,
});

for (const driver of availableDrivers()) {
  describe(`label renames and deletions reach the issues [${driver}]`, () => {
    let database: TestDatabase;
    let repo: Repository;
    let other: Repository;

    beforeAll(async () => {
      database = await createTestDatabase(driver);
      repo = await seedRepository(database.db, "octo-org/labels");
      other = await seedRepository(database.db, "octo-org/elsewhere");
    });
    afterAll(async () => {
      await database.drop();
    });

    const labelsOf = async (issue: Issue) => {
      const [row] = await database.db.select().from(githubIssues).where(eq(githubIssues.id, issue.id));
      return { labels: row!.labels, version: row!.syncVersion };
    };
    const write = (labels: ReturnType<typeof label>[], target = repo) =>
      database.db.transaction((tx) =>
        upsertLabels(
          tx,
          labels.map((l) => mapLabel(target, l)),
        ),
      );

    test("a rename rewrites the name on the issues that carry it (sorted, version bumped), nowhere else", async () => {
      await write([label(1, "bug"), label(2, "ui")]);
      await write([label(3, "bug")], other);
      const both = await seedIssue(database.db, repo, { labels: ["bug", "ui"] });
      const uiOnly = await seedIssue(database.db, repo, { labels: ["ui"] });
      const elsewhere = await seedIssue(database.db, other, { labels: ["bug"] });

      await write([label(1, "zz-defect"), label(2, "ui")]);

      expect(await labelsOf(both)).toEqual({ labels: ["ui", "zz-defect"], version: 2 });
      expect(await labelsOf(uiOnly)).toEqual({ labels: ["ui"], version: 1 });
      expect((await labelsOf(elsewhere)).labels).toEqual(["bug"]);
    });

    test("two labels that swap names in one page keep their issues apart", async () => {
      await write([label(10, "alpha"), label(11, "beta")]);
      const a = await seedIssue(database.db, repo, { labels: ["alpha"] });
      const b = await seedIssue(database.db, repo, { labels: ["beta"] });

      await write([label(10, "beta"), label(11, "alpha")]);

      expect((await labelsOf(a)).labels).toEqual(["beta"]);
      expect((await labelsOf(b)).labels).toEqual(["alpha"]);
    });

    test("a label GitHub lists under the name of a local label not pushed yet is stored; the local one steps aside", async () => {
      const [local] = await database.db
        .insert(githubLabels)
        .values({ repositoryId: repo.id, repositoryFullName: repo.fullName, name: "shared", color: "ededed" })
        .returning();
      await write([label(30, "shared")]);
      const rows = await database.db
        .select()
        .from(githubLabels)
        .where(eq(githubLabels.repositoryId, repo.id));
      expect(rows.find((r) => r.githubId === 30)?.name).toBe("shared");
      expect(rows.find((r) => r.id === local!.id)?.name).toBe("shared (renamed locally)");
    });

    test("a deleted label (webhook or listing) leaves the issues; a live label of the same name stays", async () => {
      await write([label(20, "wontfix"), label(21, "stale")]);
      const issue = await seedIssue(database.db, repo, { labels: ["stale", "ui", "wontfix"] });

      await database.db.transaction((tx) => tombstoneLabel(tx, 20));
      expect((await labelsOf(issue)).labels).toEqual(["stale", "ui"]);

      // A listing that no longer shows "stale", while "ui" is still listed.
      const listedFrom = new Date();
      await database.db.transaction(async (tx) => {
        await upsertLabels(tx, [mapLabel(repo, label(2, "ui"))]);
        await tombstoneUnseenLabels(tx, repo.id, listedFrom);
      });
      const after = (await labelsOf(issue)).labels;
      expect(after).not.toContain("stale");
      expect(after).toContain("ui");
    });
  });
}
