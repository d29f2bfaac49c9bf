/** What the HTTP layer needs from the rest of the service; passed explicitly, never imported as singletons. */
import type { Runtime } from "../actors/runtime.ts";
import type { Config } from "../config.ts";
import type { Database, DatabaseHandle } from "../db/client.ts";
import type { Logger } from "../logger.ts";

export interface ApiDeps {
  db: Database;
  database: DatabaseHandle;
  config: Config;
  log: Logger;
  /** Metrics in Prometheus text format; null when telemetry is not started (unit tests). */
  renderMetrics?: () => Promise<string>;
  /**
   * A bearer token generated at start in sandbox mode when API_TOKENS is empty: it opens writes, but unlike
   * API_TOKENS it does not close reads (reads need a token only when API_TOKENS is set).
   */
  sandboxToken?: string;
  /** The actor runtime; absent in read-only unit tests. */
  runtime?: Runtime;
  /** Set by the service: readiness waits for the runtime ("starting" until it drives its repositories). */
  runtimeState?: "starting" | "running" | "stopping";
}
