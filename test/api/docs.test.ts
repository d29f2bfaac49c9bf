import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { SCALAR_ASSET_PATH } from "../../src/api/routes/docs.ts";
import { testApp } from "../support/app.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";

interface OpenApi {
  paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown> }>>;
}

const CHROMIUM = "/usr/bin/chromium";

describe("Swagger", () => {
  let database: TestDatabase;
  let api: ReturnType<typeof testApp>;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
    api = testApp(database);
  });
  afterAll(() => database.drop());

  test("/swagger/json lists every /api/v1 route with a summary and typed responses", async () => {
    const spec = (await api.json<OpenApi>("/swagger/json")).body;
    const documented = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = api.app.routes
      .filter((r) => r.path.startsWith("/api/v1"))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    expect(served.length).toBeGreaterThanOrEqual(7);
    expect(documented.sort()).toEqual(expect.arrayContaining(served.sort()));
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!path.startsWith("/api/v1")) continue;
        expect(`${method} ${path}: ${op.summary ?? ""}`).not.toEndWith(": ");
        const success = Object.keys(op.responses ?? {}).filter((status) => status.startsWith("2"));
        expect(`${method} ${path}: ${success.join(",")}`).toMatch(/: 20[012]/);
      }
    }
  });

  test("the page loads its UI from this service and names no other host", async () => {
    const page = await api.request("/swagger");
    expect(page.status).toBe(200);
    const html = await page.text();
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(refs).toEqual([SCALAR_ASSET_PATH]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('"withDefaultFonts":false');
    const asset = await api.request(SCALAR_ASSET_PATH);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });

  // The static check above cannot see what the script fetches once running; a real browser can.
  test.skipIf(!existsSync(CHROMIUM) && process.env.CI !== "true")(
    "in headless Chromium the page renders and requests nothing from another host",
    async () => {
      const { chromium } = await import("playwright-core");
      const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req) => api.app.handle(req) });
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
        ],
      });
      try {
        const page = await browser.newPage();
        const foreign: string[] = [];
        page.on("request", (request) => {
          const url = new URL(request.url());
          if (url.protocol.startsWith("http") && url.host !== `127.0.0.1:${server.port}`)
            foreign.push(request.url());
        });
        await page.goto(`http://127.0.0.1:${server.port}/swagger`, { waitUntil: "networkidle" });
        await page.getByText("List mirrored issues").first().waitFor({ timeout: 15_000 });
        expect(foreign).toEqual([]);
      } finally {
        await browser.close();
        await server.stop(true);
      }
    },
    30_000,
  );
});
