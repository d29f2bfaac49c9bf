/**
 * A replica paused (or cut off) in the middle of a fenced write holds the lease row FOR SHARE. The replica
 * taking over bumps the epoch on that row, so it must not wait for the paused one forever: Postgres aborts a
 * transaction whose client has been quiet longer than the lease (idle_in_transaction_session_timeout, set by
 * the service from LEASE_TTL_SECONDS), and the takeover goes through.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { withFence } from "../../src/actors/fence.ts";
import { acquireLease } from "../../src/actors/lease-store.ts";
import { type DatabaseHandle, openDatabase } from "../../src/db/client.ts";
import { repositories } from "../../src/db/schema.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { postgresUrl } from "../support/services.ts";

const LEASE_MS = 1_000;

describe.skipIf(postgresUrl() === null)("a lease holder paused mid-transaction", () => {
  let database: TestDatabase;
  let paused: DatabaseHandle;
  let successor: DatabaseHandle;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    const options = { databaseUrl: database.url, dataDir: "", idleInTransactionTimeoutMs: LEASE_MS };
    paused = await openDatabase(options);
    successor = await openDatabase(options);
  });
  afterAll(async () => {
    // The paused holder never resumes: its session is gone, so close without waiting on its transaction.
    await (paused.db as unknown as { $client: { end(o: { timeout: number }): Promise<void> } }).$client.end({
      timeout: 0,
    });
    await successor.close();
    await database.drop();
  });

  test("does not block the takeover, and its transaction writes nothing", async () => {
    const [repo] = await database.db
      .insert(repositories)
      .values({ fullName: "octo-org/paused", owner: "octo-org", name: "paused" })
      .returning();
    const epoch = await acquireLease(paused.db, repo!.id, "old", LEASE_MS);

    // The old holder is inside its fenced transaction, holding the row, and then goes quiet (as a SIGSTOP or
    // a network partition would leave it).
    let inside: () => void = () => {};
    const entered = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const stalled = withFence(paused.db, { repositoryId: repo!.id, epoch }, async (tx) => {
      await tx.update(repositories).set({ installationId: 999 }).where(eq(repositories.id, repo!.id));
      inside();
      await new Promise(() => {}); // never resumes
    }).catch((error: unknown) => error);
    await entered;

    const newEpoch = await acquireLease(successor.db, repo!.id, "new", LEASE_MS);
    expect(newEpoch).toBe(epoch + 1);
    const [row] = await database.db.select().from(repositories);
    expect(row!.leaseHolder).toBe("new");
    expect(row!.leaseEpoch).toBe(epoch + 1);
    expect(row!.installationId).toBeNull(); // the paused holder's write was rolled back

    void stalled;
  }, 10_000);
});
