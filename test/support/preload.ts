/** Loaded before every test file (bunfig.toml). Keeps test output readable: the service logs nothing by default. */
process.env.LOG_LEVEL ??= "error";
