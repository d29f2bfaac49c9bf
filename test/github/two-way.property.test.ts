/**
 * Property: random interleavings of local and remote edits to the same issues, with injected faults (5xx and
 * dropped responses on GitHub's side), end with the mirror equal to GitHub, and every local edit of a title or
 * body either applied on GitHub or recorded in a conflict. Nothing is lost silently.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq, inArray, isNull } from "drizzle-orm";
import fc from "fast-check";
import { githubIssues, outbox, type Repository, repositories, syncConflicts } from "../../src/db/schema.ts";
import { type RunningSimulator, startSimulator } from "../../src/simulator/index.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { editIssueLocally } from "../support/local-edit.ts";
import { startTestService, type TestService } from "../support/service.ts";
import { postgresUrl } from "../support/services.ts";
import { waitFor } from "../support/wait.ts";

const enabled = postgresUrl() !== null;
const RUNS = 6;

type Field = "title" | "body";
type Op =
  | { kind: "local"; issue: 0 | 1; field: Field; value: string }
  | { kind: "remote"; issue: 0 | 1; field: Field; value: string }
  | { kind: "push" }
  | { kind: "faults"; on: boolean };

const field = fc.constantFrom<Field>("title", "body");
const issue = fc.constantFrom<0 | 1>(0, 1);
const word = fc.stringMatching(/^[a-z]{3,8}$/);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("local" as const), issue, field, value: word }),
  fc.record({ kind: fc.constant("remote" as const), issue, field, value: word }),
  fc.record({ kind: fc.constant("push" as const) }),
  fc.record({ kind: fc.constant("faults" as const), on: fc.boolean() }),
);

describe.skipIf(!enabled)("two-way sync property", () => {
  let sim: RunningSimulator;
  let database: TestDatabase;
  let svc: TestService;
  let repo: Repository;
  let simRepoId: number;
  let run = 0;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, hostname: "127.0.0.1" });
    database = await createTestDatabase("postgres");
    const seeded = sim.sim.control.seedRepository({
      owner: "octo-org",
      name: "prop",
      issues: 4 * RUNS + 10,
      pullRequestRatio: 0,
    });
    simRepoId = seeded.repositoryId;
    svc = await startTestService({
      database,
      githubUrl: sim.url,
      env: { GITHUB_REPOS: "octo-org/prop", GITHUB_WRITE_SPACING_MS: "0" },
    });
    await waitFor(async () => (await database.db.select().from(githubIssues)).length >= 4 * RUNS, {
      what: "the first pull",
      timeoutMs: 30_000,
    });
    [repo] = (await database.db.select().from(repositories)) as [Repository];
  }, 60_000);
  afterAll(async () => {
    await svc?.stop();
    await sim?.stop();
    await database?.drop();
  });

  const simIssue = (number: number) => sim.sim.state.repos.get(simRepoId)!.issues.get(number)!;

  /** Wait until every entry is pushed, refused, or held behind an open conflict of its entity. */
  async function quiesce(ids: string[]) {
    await svc.service.runtime.wake(repo.id, "local_write");
    await waitFor(
      async () => {
        const waiting = await database.db
          .select({ id: outbox.id, entityId: outbox.entityId })
          .from(outbox)
          .where(and(inArray(outbox.entityId, ids), inArray(outbox.status, ["pending", "in_flight"])));
        const held = new Set(
          (
            await database.db
              .select({ entityId: syncConflicts.entityId })
              .from(syncConflicts)
              .where(and(inArray(syncConflicts.entityId, ids), isNull(syncConflicts.resolvedAt)))
          ).map((c) => c.entityId),
        );
        const moving = waiting.filter((w) => !held.has(w.entityId));
        if (moving.length > 0) await svc.service.runtime.wake(repo.id, "local_write");
        return moving.length === 0;
      },
      { what: "the outbox to drain", timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  test("interleaved local and remote edits converge, and no local edit is lost", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 3, maxLength: 10 }), async (ops) => {
        const rows = await database.db
          .select()
          .from(githubIssues)
          .orderBy(githubIssues.number)
          .limit(2)
          .offset(run++ * 2);
        const ids = rows.map((r) => r.id);
        const lastLocal = new Map<string, string>(); // `${issue}:${field}` → value
        for (const step of ops) {
          const row = rows[step.kind === "local" || step.kind === "remote" ? step.issue : 0]!;
          if (step.kind === "local") {
            await editIssueLocally(database.db, row.id, { [step.field]: `L-${step.value}` });
            lastLocal.set(`${row.id}:${step.field}`, `L-${step.value}`);
          } else if (step.kind === "remote") {
            sim.sim.control.editIssue({
              owner: "octo-org",
              repo: "prop",
              number: row.number!,
              [step.field]: `R-${step.value}`,
            });
          } else if (step.kind === "push") {
            await svc.service.runtime.wake(repo.id, "local_write");
          } else if (step.on) {
            sim.sim.control.injectFault({
              route: "PATCH /repos/{owner}/{repo}/issues/{issue_number}",
              errorRate: 0.3,
              errorStatus: 502,
            });
            sim.sim.control.injectFault({
              route: "GET /repos/{owner}/{repo}/issues/{issue_number}",
              dropResponseRate: 0.2,
            });
          } else {
            sim.sim.control.clearFaults();
          }
        }
        sim.sim.control.clearFaults();
        await quiesce(ids);

        // Every last local edit is on GitHub, or in a conflict that carries it.
        const conflicts = await database.db
          .select()
          .from(syncConflicts)
          .where(inArray(syncConflicts.entityId, ids));
        for (const [key, value] of lastLocal) {
          const [id, name] = key.split(":") as [string, Field];
          const row = rows.find((r) => r.id === id)!;
          const onGitHub = simIssue(row.number!)[name] === value;
          const recorded = conflicts.some(
            (c) => c.field === name && c.entityId === id && c.localVersion[name] === value,
          );
          expect({ key, value, kept: onGitHub || recorded }).toEqual({ key, value, kept: true });
        }

        // Settle every open conflict GitHub's way (held edits then go through, and may conflict in turn),
        // pull, and compare both sides.
        for (let round = 0; round < 10; round++) {
          const open = await database.db
            .select()
            .from(syncConflicts)
            .where(and(inArray(syncConflicts.entityId, ids), isNull(syncConflicts.resolvedAt)));
          if (open.length === 0) break;
          for (const c of open) {
            const res = await svc.post(`/api/v1/sync/conflicts/${c.id}/resolve`, { strategy: "remote_wins" });
            expect(res.status).toBe(200);
          }
          await quiesce(ids);
        }
        const sync = await svc.post<{ operation_id: string }>("/api/v1/sync/trigger", {
          repository: "octo-org/prop",
          sync_type: "incremental",
        });
        await waitFor(
          async () =>
            (await svc.get<{ status: string }>(`/api/v1/sync/operations/${sync.body.operation_id}`))
              .status === "completed",
          { what: "the final pull", timeoutMs: 30_000 },
        );
        const mirrored = await database.db
          .select()
          .from(githubIssues)
          .where(and(inArray(githubIssues.id, ids), isNull(githubIssues.deletedAt)));
        for (const row of mirrored) {
          const remote = simIssue(row.number!);
          expect({ title: row.title, body: row.body, state: row.syncState }).toEqual({
            title: remote.title,
            body: remote.body,
            state: "synced",
          });
        }
        // No edit was refused for good, either.
        const failed = await database.db
          .select({ id: outbox.id, error: outbox.lastError })
          .from(outbox)
          .where(and(inArray(outbox.entityId, ids), eq(outbox.status, "failed")));
        expect(failed).toEqual([]);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  }, 240_000);
});
