/** Loaded once before the test files (bunfig.toml). */
import { startContainersIfNeeded } from "./containers.ts";

// bun test gives each test 5 s unless it says otherwise (bunfig.toml has no timeout setting, and
// setDefaultTimeout here would cover the first test file only): a test that starts processes or an embedded
// Postgres sets its own timeout.

// The service logs nothing below "error" during tests unless asked, to keep the runner's report readable.
process.env.LOG_LEVEL ??= "error";

// Containers live for the whole run; testcontainers' reaper removes them when the process exits.
await startContainersIfNeeded();
