/**
 * Assembles the running service from a parsed Config: database (migrated), telemetry, HTTP server.
 * `src/main.ts` calls it with the environment; e2e tests call it directly.
 */
import { createApp } from "./api/app.ts";
import type { Config } from "./config.ts";
import { type DatabaseHandle, openDatabase } from "./db/client.ts";
import { ensureRepositories } from "./db/queries/repositories.ts";
import type { Logger } from "./logger.ts";
import { startTelemetry } from "./telemetry.ts";
import { readVersion } from "./version.ts";

export interface RunningService {
  url: string;
  database: DatabaseHandle;
  stop(): Promise<void>;
}

export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const version = readVersion();
  const telemetry = startTelemetry({
    serviceName: "github-tracker",
    serviceVersion: version.version,
    otlpEndpoint: config.otlpEndpoint,
  });

  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  log.info("database ready", {
    driver: database.driver,
    ...(database.driver === "pglite" ? { dataDir: config.dataDir } : {}),
  });

  const tracked = await ensureRepositories(database.db, config.repositories);
  if (config.sandbox) {
    log.warn(
      "GitHub is not configured: running without GitHub credentials. Set GITHUB_TOKEN (or GITHUB_APP_ID + " +
        "GITHUB_APP_PRIVATE_KEY) and GITHUB_REPOS=owner/name to mirror real repositories; see README.md.",
    );
  } else {
    log.info("tracking repositories", {
      repositories: tracked.map((r) => r.fullName),
      api: config.githubApiUrl,
    });
  }

  const app = createApp(
    { db: database.db, database, config, log, renderMetrics: () => telemetry.renderMetrics() },
    version,
  );
  // Bun.serve is the one Bun-only piece here: the app itself is a fetch handler over web-standard Request/Response.
  const server = Bun.serve({
    port: config.port,
    hostname: config.host,
    fetch: (request) => app.handle(request),
  });
  const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${server.port}`;
  log.info("listening", { url, swagger: `${url}/swagger`, version: version.version, commit: version.commit });

  return {
    url,
    database,
    async stop() {
      await server.stop();
      await database.close();
    },
  };
}
