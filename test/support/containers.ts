/**
 * When DATABASE_URL / REDIS_URL are unset and a Docker engine answers, start Postgres 16 and Redis 7 with
 * testcontainers for this test run. No engine (as on this project's CI machines): nothing happens, and the
 * tests that need those services skip with a notice (or fail under CI=true, see services.ts).
 */
import { existsSync } from "node:fs";

async function dockerAnswers(): Promise<boolean> {
  const socket = process.env.DOCKER_HOST?.startsWith("unix://")
    ? process.env.DOCKER_HOST.slice("unix://".length)
    : "/var/run/docker.sock";
  if (!process.env.DOCKER_HOST?.startsWith("tcp://") && !existsSync(socket)) return false;
  try {
    const init = process.env.DOCKER_HOST?.startsWith("tcp://")
      ? undefined
      : ({ unix: socket } as RequestInit);
    const base = process.env.DOCKER_HOST?.startsWith("tcp://")
      ? process.env.DOCKER_HOST.replace("tcp://", "http://")
      : "http://localhost";
    const response = await fetch(`${base}/_ping`, { ...init, signal: AbortSignal.timeout(1_000) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function startContainersIfNeeded(): Promise<void> {
  const needPostgres = !process.env.DATABASE_URL;
  const needRedis = !process.env.REDIS_URL;
  if (!needPostgres && !needRedis) return;
  if (!(await dockerAnswers())) return;
  if (needPostgres) {
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
    const postgres = await new PostgreSqlContainer("postgres:16-alpine").start();
    process.env.DATABASE_URL = postgres.getConnectionUri();
    console.warn(`[notice] started Postgres 16 with testcontainers: ${process.env.DATABASE_URL}`);
  }
  if (needRedis) {
    const { RedisContainer } = await import("@testcontainers/redis");
    const redis = await new RedisContainer("redis:7-alpine").start();
    process.env.REDIS_URL = redis.getConnectionUrl();
    console.warn(`[notice] started Redis 7 with testcontainers: ${process.env.REDIS_URL}`);
  }
}
