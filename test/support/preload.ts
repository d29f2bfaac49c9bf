/** Loaded once before the test files (bunfig.toml). */
import { startContainersIfNeeded } from "./containers.ts";

// The service logs nothing below "error" during tests unless asked, to keep the runner's report readable.
process.env.LOG_LEVEL ??= "error";

// Containers live for the whole run; testcontainers' reaper removes them when the process exits.
await startContainersIfNeeded();
