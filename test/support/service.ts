/** The whole service in-process (HTTP on a free port) over a test database, pointed at a simulator. */
import type { Config } from "../../src/config.ts";
import { silentLogger } from "../../src/logger.ts";
import { type RunningService, startService } from "../../src/service.ts";
import { testConfig } from "./app.ts";
import type { TestDatabase } from "./db.ts";

/** The bearer token the in-process test service accepts (API_TOKENS). */
export const TEST_API_TOKEN = "test-token";

export interface TestService {
  service: RunningService;
  config: Config;
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startTestService(options: {
  database: TestDatabase;
  githubUrl: string;
  env?: Record<string, string>;
}): Promise<TestService> {
  const config = testConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    GITHUB_API_URL: options.githubUrl,
    GITHUB_TOKEN: "sim-token",
    SYNC_INTERVAL_SECONDS: "3600",
    API_TOKENS: TEST_API_TOKEN,
    ...(options.database.url ? { DATABASE_URL: options.database.url } : {}),
    ...options.env,
  });
  // The test database is already open; the service opens its own handle on the same database (postgres), or
  // for PGlite we need the same instance, so PGlite-backed service tests are not supported here.
  if (!options.database.url) throw new Error("startTestService needs a Postgres test database");
  const service = await startService(config, silentLogger);
  const auth = { authorization: `Bearer ${TEST_API_TOKEN}` };
  const get = async <T>(path: string) =>
    (await (await fetch(`${service.url}${path}`, { headers: auth })).json()) as T;
  const post = async <T>(path: string, body: unknown) => {
    const res = await fetch(`${service.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  return { service, config, get, post, stop: () => service.stop() };
}
