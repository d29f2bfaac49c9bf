import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTelemetry } from "../../src/telemetry.ts";
import { testApp } from "../support/app.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { waitFor } from "../support/wait.ts";

describe("health, version, metrics", () => {
  let database: TestDatabase;
  let api: ReturnType<typeof testApp>;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    const telemetry = startTelemetry({
      serviceName: "github-tracker",
      serviceVersion: "test",
      otlpEndpoint: null,
    });
    api = testApp(database, { renderMetrics: () => telemetry.renderMetrics() });
  });
  afterAll(() => database.drop());

  test("/health and /health/ready check the database; /health/live always answers", async () => {
    const health = await api.json("/health");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: "ok",
      mode: "sandbox",
      database: "pglite",
      checks: { database: { status: "ok" } },
    });
    expect((await api.json("/health/ready")).status).toBe(200);
    expect((await api.json("/health/live")).body).toEqual({ status: "ok" });
  });

  test("/health/ready answers 503 when the database is gone", async () => {
    const gone = await createTestDatabase("pglite");
    const goneApi = testApp(gone);
    await gone.drop();
    const ready = await goneApi.json("/health/ready");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: "failing", checks: { database: { status: "failing" } } });
    expect((await goneApi.json("/health/live")).status).toBe(200);
  });

  test("/version names the build", async () => {
    const version = await api.json<{ name: string; version: string; commit: string | null; runtime: string }>(
      "/version",
    );
    expect(version.body.name).toBe("github-tracker");
    expect(version.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(version.body.runtime).toMatch(/^bun \d/);
    expect(version.body.commit === null || /^[0-9a-f]{40}$/.test(version.body.commit)).toBe(true);
  });

  test("/metrics counts requests per route template in Prometheus format", async () => {
    await api.request("/api/v1/issues/00000000-0000-4000-8000-000000000000");
    const line =
      /http_server_requests_total\{method="GET",route="\/api\/v1\/issues\/:id",status="404"[^}]*\} 1/;
    // Elysia records after the response is sent, so the count lands a moment later.
    const text = await waitFor(
      async () => {
        const response = await api.request("/metrics");
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toContain("text/plain");
        const body = await response.text();
        return line.test(body) && body;
      },
      { what: "the 404 to be counted" },
    );
    expect(text).toContain("# TYPE http_server_requests_total counter");
    expect(text).toContain(
      'http_server_request_duration_bucket{method="GET",route="/api/v1/issues/:id",status="404"',
    );
  });
});
