/** An in-process app over a test database: requests go through `app.handle`, no port. */
import type { Runtime } from "../../src/actors/runtime.ts";
import { createApp } from "../../src/api/app.ts";
import { type Config, parseConfig } from "../../src/config.ts";
import type { DatabaseHandle } from "../../src/db/client.ts";
import { silentLogger } from "../../src/logger.ts";
import { readVersion } from "../../src/version.ts";

export function testConfig(env: Record<string, string> = {}): Config {
  const result = parseConfig(env);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}

export function testApp(
  database: DatabaseHandle,
  options: {
    renderMetrics?: () => Promise<string>;
    /** Environment for the config, e.g. `{ API_TOKENS: "t1" }`. */
    env?: Record<string, string>;
    runtime?: Runtime;
  } = {},
) {
  const app = createApp(
    {
      db: database.db,
      database,
      config: testConfig(options.env),
      log: silentLogger,
      renderMetrics: options.renderMetrics,
      runtime: options.runtime,
    },
    readVersion(),
  );
  const request = (path: string, init?: RequestInit) =>
    app.handle(new Request(`http://localhost${path}`, init));
  const json = async <T = Record<string, unknown>>(path: string, init?: RequestInit) => {
    const response = await request(path, init);
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  };
  return { app, request, json };
}
