/**
 * A small cluster for runtime tests: the simulator over real HTTP, an isolated Postgres database, a Redis
 * database of its own, and replicas started as separate `bun start` processes.
 */
import Redis from "ioredis";
import { startSimulator } from "../../src/simulator/index.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";
import { type ServiceProcess, startServiceProcess } from "./process.ts";
import { redisUrl } from "./services.ts";

export interface Cluster {
  sim: Awaited<ReturnType<typeof startSimulator>>;
  database: TestDatabase;
  redisUrl: string;
  replicas: Map<string, ServiceProcess>;
  startReplica(id: string, env?: Record<string, string>): Promise<ServiceProcess>;
  close(): Promise<void>;
}

let redisDbCounter = 1 + (process.pid % 8);

/** A Redis database index of its own (membership and lock keys are per database), flushed first. */
async function freshRedisDb(base: string): Promise<string> {
  const index = redisDbCounter++ % 15;
  const url = new URL(base);
  url.pathname = `/${index + 1}`;
  const client = new Redis(url.toString());
  await client.flushdb();
  client.disconnect();
  return url.toString();
}

export async function startCluster(options: {
  repos: string[];
  env?: Record<string, string>;
}): Promise<Cluster> {
  const base = redisUrl();
  if (!base) throw new Error("REDIS_URL is not set");
  const sim = await startSimulator({ port: 0, hostname: "127.0.0.1" });
  const database = await createTestDatabase("postgres");
  const redis = await freshRedisDb(base);
  const replicas = new Map<string, ServiceProcess>();
  const cluster: Cluster = {
    sim,
    database,
    redisUrl: redis,
    replicas,
    async startReplica(id, env = {}) {
      const replica = await startServiceProcess({
        DATABASE_URL: database.url ?? "",
        REDIS_URL: redis,
        GITHUB_API_URL: sim.url,
        GITHUB_TOKEN: "sim-token",
        GITHUB_REPOS: options.repos.join(","),
        REPLICA_ID: id,
        LOG_LEVEL: "info",
        ...options.env,
        ...env,
      });
      replicas.set(id, replica);
      return replica;
    },
    async close() {
      await Promise.all(
        [...replicas.values()].map(async (r) => {
          if (r.proc.exitCode === null && r.proc.signalCode === null) {
            r.proc.kill("SIGCONT");
            r.proc.kill("SIGKILL");
            await r.proc.exited;
          }
        }),
      );
      await sim.stop();
      await database.drop();
    },
  };
  return cluster;
}
