/** Entry point: `bun start`. Parses configuration once, starts the service, stops cleanly on SIGTERM/SIGINT. */
import { parseConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { startService } from "./service.ts";

const parsed = parseConfig(process.env);
if (!parsed.ok) {
  console.error("github-tracker: invalid configuration");
  for (const line of parsed.errors) console.error(`  ${line}`);
  process.exit(1);
}
const config = parsed.config;
const log = createLogger({ level: config.logLevel, base: { replica: config.replicaId } });

let service: Awaited<ReturnType<typeof startService>>;
try {
  service = await startService(config, log);
} catch (error) {
  log.error("start failed", { error });
  process.exit(1);
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("stopping", { signal });
  try {
    await service.stop();
  } catch (error) {
    log.error("error while stopping", { error });
  }
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
