/** Loaded once before the test files (bunfig.toml). */
import { setDefaultTimeout } from "bun:test";
import { startContainersIfNeeded } from "./containers.ts";

// bun test's default is 5 s per test; starting an embedded Postgres (PGlite initdb) alone can take longer on a
// slow 2-core runner. Tests that need more say so themselves.
setDefaultTimeout(30_000);

// The service logs nothing below "error" during tests unless asked, to keep the runner's report readable.
process.env.LOG_LEVEL ??= "error";

// Containers live for the whole run; testcontainers' reaper removes them when the process exits.
await startContainersIfNeeded();
