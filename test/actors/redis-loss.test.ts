/**
 * A replica that loses Redis stops driving (it can no longer prove it should), and another replica that still
 * reaches Redis takes over.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { repositories } from "../../src/db/schema.ts";
import { type Cluster, startCluster } from "../support/cluster.ts";
import { redisUrl } from "../support/services.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { waitFor } from "../support/wait.ts";

const enabled = redisUrl() !== null && process.env.DATABASE_URL !== undefined;

describe.skipIf(!enabled)("losing Redis", () => {
  let cluster: Cluster | null = null;
  let proxy: TcpProxy | null = null;
  afterEach(async () => {
    proxy?.stop();
    await cluster?.close();
    cluster = null;
  });

  test("the cut-off replica stops driving; the other takes over with a new epoch", async () => {
    cluster = await startCluster({
      repos: ["octo-org/cut"],
      env: { LEASE_TTL_SECONDS: "2", SYNC_INTERVAL_SECONDS: "3600" },
    });
    cluster.sim.sim.control.seedRepository({ owner: "octo-org", name: "cut", issues: 5 });
    const redis = new URL(cluster.redisUrl);
    proxy = startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
    const proxied = new URL(cluster.redisUrl);
    proxied.port = String(proxy.port);
    // The first replica reaches Redis through the proxy, so it is the one driving; the second starts after.
    const first = await cluster.startReplica("via-proxy", { REDIS_URL: proxied.toString() });
    const lease = await waitFor(
      async () => {
        const [row] = await cluster!.database.db.select().from(repositories);
        return row?.leaseHolder === "via-proxy" && row;
      },
      { what: "the first replica to drive", timeoutMs: 20_000 },
    );
    await cluster.startReplica("direct");
    proxy.cut();
    const taken = await waitFor(
      async () => {
        const [row] = await cluster!.database.db.select().from(repositories);
        return row && row.leaseEpoch > lease.leaseEpoch && row.leaseHolder === "direct" && row;
      },
      { what: "the other replica to take over", timeoutMs: 30_000 },
    );
    expect(taken.leaseHolder).toBe("direct");
    // It stops driving on whichever it sees first: Redis unreachable, its lock gone, or the epoch moved on
    // under it (every one is logged as "ownership lost: stopped driving repository" with the reason).
    await waitFor(
      () =>
        first.output().includes("coordination store unreachable") ||
        first.output().includes("ownership lost"),
      { what: "the cut-off replica to stop driving", timeoutMs: 30_000 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; its last output: ${first.output().slice(-1500)}`);
    });
  }, 90_000);
});
