import { describe, expect, test } from "bun:test";
import { parseConfig } from "../src/config.ts";

function errorsOf(env: Record<string, string>): string[] {
  const result = parseConfig(env);
  return result.ok ? [] : result.errors;
}

describe("configuration", () => {
  test("defaults: embedded database, sandbox mode, port 8080", () => {
    const result = parseConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.port).toBe(8080);
    expect(result.config.databaseUrl).toBeNull();
    expect(result.config.dataDir).toBe("./data");
    expect(result.config.sandbox).toBe(true);
    expect(result.config.githubApiUrl).toBe("https://api.github.com");
    expect(result.config.syncIntervalSeconds).toBe(300);
  });

  test("a full valid environment is parsed", () => {
    const result = parseConfig({
      PORT: "9090",
      DATABASE_URL: "postgres://u@db:5432/x",
      REDIS_URL: "redis://cache:6379",
      GITHUB_API_URL: "http://127.0.0.1:3000/",
      GITHUB_TOKEN: "ghp_x",
      GITHUB_WEBHOOK_SECRET: "new, old",
      GITHUB_REPOS: "Octo-Org/Sandbox, octo-org/other",
      API_TOKENS: "a,b",
      SYNC_INTERVAL_SECONDS: "60",
      REPLICA_ID: "r1",
      LOG_LEVEL: "DEBUG",
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const c = result.config;
    expect(c.githubApiUrl).toBe("http://127.0.0.1:3000");
    expect(c.webhookSecrets).toEqual(["new", "old"]);
    expect(c.repositories).toEqual(["octo-org/sandbox", "octo-org/other"]);
    expect(c.githubAuth).toEqual({ kind: "token", token: "ghp_x" });
    expect(c.sandbox).toBe(false);
    expect(c.logLevel).toBe("debug");
  });

  test("each bad variable gets one line naming it and what is expected", () => {
    const errors = errorsOf({
      PORT: "eighty",
      DATABASE_URL: "mysql://x",
      REDIS_URL: "localhost:6379",
      GITHUB_REPOS: "octo-org/ok,not a repo",
      SYNC_INTERVAL_SECONDS: "0",
      LOG_LEVEL: "loud",
      OTEL_EXPORTER_OTLP_ENDPOINT: "jaeger",
    });
    const named = errors.map((line) => line.split(":")[0]);
    expect(named).toEqual([
      "PORT",
      "DATABASE_URL",
      "REDIS_URL",
      "SYNC_INTERVAL_SECONDS",
      "LOG_LEVEL",
      "GITHUB_REPOS",
      "OTEL_EXPORTER_OTLP_ENDPOINT",
    ]);
    expect(errors[0]).toContain('expected a whole number from 0 to 65535, got "eighty"');
    expect(errors[1]).toContain("postgres://");
    expect(errors[5]).toContain('"not a repo"');
  });

  test("SYNC_FIELD_POLICIES sets conflict policies per field, and names what is wrong", () => {
    const ok = parseConfig({
      SYNC_FIELD_POLICIES: "issue.title=local_wins, milestone.description=remote_wins, label.name=local_wins",
    });
    expect(ok.ok && ok.config.fieldPolicies).toEqual({
      issue: { title: "local_wins" },
      milestone: { description: "remote_wins" },
      label: { name: "local_wins" },
    });
    const errors = errorsOf({ SYNC_FIELD_POLICIES: "issue.title=always,issue.colour=manual" });
    expect(errors.length).toBe(2);
    expect(errors[0]).toStartWith("SYNC_FIELD_POLICIES: expected entity.field=policy");
    expect(errors[0]).toContain('got "issue.title=always"');
    expect(errors[1]).toContain('got "issue.colour=manual"');
  });

  test("the sandbox is for one replica: REDIS_URL without GitHub credentials is refused", () => {
    const errors = errorsOf({ REDIS_URL: "redis://cache:6379" });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toStartWith("GITHUB_TOKEN: required when REDIS_URL is set");
    expect(parseConfig({ REDIS_URL: "redis://cache:6379", GITHUB_TOKEN: "t" }).ok).toBe(true);
  });

  test("GitHub App settings are checked together", () => {
    expect(errorsOf({ GITHUB_APP_ID: "12", GITHUB_APP_INSTALLATION_ID: "1" })).toEqual([
      "GITHUB_APP_PRIVATE_KEY: required when GITHUB_APP_ID is set",
    ]);
    expect(errorsOf({ GITHUB_APP_ID: "x", GITHUB_APP_PRIVATE_KEY: "not a key" })).toEqual([
      'GITHUB_APP_ID: expected the numeric App ID, got "x"',
      "GITHUB_APP_PRIVATE_KEY: expected a PEM private key (-----BEGIN RSA PRIVATE KEY----- ...)",
      "GITHUB_APP_INSTALLATION_ID: required with GITHUB_APP_ID (the installation to sync, a number)",
    ]);
    const ok = parseConfig({
      GITHUB_APP_ID: "12",
      GITHUB_APP_PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----",
      GITHUB_APP_INSTALLATION_ID: "99",
    });
    expect(ok.ok && ok.config.githubAuth).toEqual({
      kind: "app",
      appId: 12,
      privateKey: "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
      installationId: 99,
    });
  });

  test("bun start with a bad environment exits 1 with one line per bad variable", async () => {
    const proc = Bun.spawn(["bun", "run", "src/main.ts"], {
      cwd: new URL("..", import.meta.url).pathname,
      env: { PATH: process.env.PATH ?? "", PORT: "-1", LOG_LEVEL: "chatty" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).toBe(1);
    expect(stderr).toContain("invalid configuration");
    expect(stderr).toContain('PORT: expected a whole number from 0 to 65535, got "-1"');
    expect(stderr).toContain('LOG_LEVEL: expected one of debug, info, warn, error, got "chatty"');
  });
});
