/**
 * Assembles the running service from a parsed Config: database (migrated), telemetry, HTTP server, the actor
 * runtime, and in sandbox mode the in-process GitHub simulator. `src/main.ts` calls it; e2e tests too.
 */
import { randomBytes } from "node:crypto";
import { type Runtime, startRuntime } from "./actors/runtime.ts";
import { createApp } from "./api/app.ts";
import type { ApiDeps } from "./api/deps.ts";
import type { Config } from "./config.ts";
import { type DatabaseHandle, openDatabase } from "./db/client.ts";
import { ensureRepositories } from "./db/queries/repositories.ts";
import { type ClientAuth, createGitHubClient } from "./github/client.ts";
import { createGitHubApi } from "./github/github-api.ts";
import { RateBudget } from "./github/rate-budget.ts";
import { createSyncEngine } from "./github/sync-engine.ts";
import type { Logger } from "./logger.ts";
import { registerDatabaseGauges } from "./observability/gauges.ts";
import { type RunningSimulator, seedSandbox, startSimulator } from "./simulator/index.ts";
import { startTelemetry } from "./telemetry.ts";
import { readVersion } from "./version.ts";

export interface RunningService {
  url: string;
  database: DatabaseHandle;
  runtime: Runtime;
  simulator: RunningSimulator | null;
  stop(): Promise<void>;
}

export const SANDBOX_REPOSITORY = "octo-org/sandbox";
const SIMULATOR_TOKEN = "sim-token";

function clientAuth(config: Config): ClientAuth {
  const auth = config.githubAuth;
  if (auth.kind === "token") return { kind: "token", token: auth.token };
  if (auth.kind === "app") {
    if (auth.installationId === null) {
      throw new Error(
        "GITHUB_APP_INSTALLATION_ID: required in App mode for now (installation discovery is not built yet)",
      );
    }
    return {
      kind: "app",
      appId: auth.appId,
      privateKey: auth.privateKey,
      installationId: auth.installationId,
    };
  }
  return { kind: "token", token: SIMULATOR_TOKEN };
}

export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const version = readVersion();
  const telemetry = startTelemetry({
    serviceName: "github-tracker",
    serviceVersion: version.version,
    otlpEndpoint: config.otlpEndpoint,
  });

  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    idleInTransactionTimeoutMs: config.leaseTtlSeconds * 1000,
  });
  log.info("database ready", {
    driver: database.driver,
    ...(database.driver === "pglite" ? { dataDir: config.dataDir } : {}),
  });

  // Writes need a bearer token; a sandbox started without API_TOKENS gets one, printed so it can be used.
  let sandboxToken: string | undefined;
  if (config.sandbox && config.apiTokens.length === 0) {
    sandboxToken = randomBytes(24).toString("base64url");
    log.warn(`Sandbox API token: ${sandboxToken}`);
  }

  // The API is up before the runtime so /health answers during start; the runtime joins the deps below.
  const deps: ApiDeps = {
    db: database.db,
    database,
    config,
    log,
    renderMetrics: () => telemetry.renderMetrics(),
    sandboxToken,
    runtimeState: "starting",
  };
  const app = createApp(deps, version);
  // Bun.serve is the one Bun-only piece here: the app itself is a fetch handler over web-standard Request/Response.
  const server = Bun.serve({
    port: config.port,
    hostname: config.host,
    fetch: (request) => app.handle(request),
  });
  const url = `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${server.port}`;

  let simulator: RunningSimulator | null = null;
  let apiUrl = config.githubApiUrl;
  const repositoriesToTrack = [...config.repositories];
  if (config.sandbox) {
    simulator = await startSimulator({ port: 0, hostname: "127.0.0.1" });
    // The simulator signs its deliveries with the service's secret; without one configured, a fresh one is shared.
    const secret = config.webhookSecrets[0] ?? crypto.randomUUID();
    if (config.webhookSecrets.length === 0) config.webhookSecrets.push(secret);
    seedSandbox(simulator.sim, { webhookUrl: `${url}/api/v1/webhooks/github`, webhookSecret: secret });
    apiUrl = simulator.url;
    repositoriesToTrack.push(SANDBOX_REPOSITORY);
    log.warn(
      `Sandbox mode: no GitHub credentials, so a simulated GitHub runs in-process at ${simulator.url} with ` +
        `${SANDBOX_REPOSITORY} seeded, and the service tracks it. To mirror real repositories set GITHUB_TOKEN ` +
        "(or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY) and GITHUB_REPOS=owner/name; see README.md.",
    );
  }

  const tracked = await ensureRepositories(database.db, repositoriesToTrack);
  const client = createGitHubClient({
    baseUrl: apiUrl,
    auth: clientAuth(config),
    policy: { writeSpacingMs: config.githubWriteSpacingMs },
  });
  const budget = new RateBudget();
  const api = createGitHubApi({ client, db: database.db, budget });
  // Rate figures go to Postgres every few seconds so /api/v1/sync/status shows them from any replica.
  const budgetFlush = setInterval(() => void budget.flush(database.db).catch(() => undefined), 5_000);
  const runtime = await startRuntime({
    db: database.db,
    log,
    engine: createSyncEngine({
      db: database.db,
      log,
      api,
      client,
      policies: config.fieldPolicies,
      appMode: config.githubAuth.kind === "app",
    }),
    redisUrl: config.redisUrl,
    replicaId: config.replicaId,
    leaseTtlMs: config.leaseTtlSeconds * 1000,
    pollIntervalMs: config.syncIntervalSeconds * 1000,
    historyDays: config.actorHistoryDays,
  });
  deps.runtime = runtime;
  const unregisterGauges = registerDatabaseGauges(database.db);
  deps.runtimeState = "running";
  log.info("listening", {
    url,
    swagger: `${url}/swagger`,
    version: version.version,
    commit: version.commit,
    github: apiUrl,
    coordination: runtime.mode,
    repositories: tracked.map((r) => r.fullName),
  });

  return {
    url,
    database,
    runtime,
    simulator,
    async stop() {
      // Leases first, so another replica takes over while this one finishes answering requests.
      deps.runtimeState = "stopping";
      unregisterGauges();
      await runtime.stop();
      clearInterval(budgetFlush);
      await budget.flush(database.db).catch(() => undefined);
      await server.stop();
      await simulator?.stop();
      await database.close();
    },
  };
}
