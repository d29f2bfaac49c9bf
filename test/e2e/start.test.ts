import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServiceProcess } from "../support/process.ts";

describe("bun start on the embedded database", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gt-start-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test("answers /health with no other service, says GitHub is not configured, keeps data across restarts", async () => {
    const first = await startServiceProcess({ DATA_DIR: dataDir, GITHUB_REPOS: "octo-org/first" });
    try {
      const health = await fetch(`${first.url}/health`);
      expect(await health.json()).toMatchObject({ status: "ok", database: "pglite", mode: "sandbox" });
      expect(first.output()).toContain("GitHub is not configured");
    } finally {
      expect(await first.stop("SIGTERM")).toBe(0);
    }

    const second = await startServiceProcess({ DATA_DIR: dataDir });
    try {
      const repos = (await (await fetch(`${second.url}/api/v1/repositories`)).json()) as {
        data: { full_name: string }[];
      };
      expect(repos.data.map((r) => r.full_name)).toEqual(["octo-org/first"]);
      const spec = (await (await fetch(`${second.url}/swagger/json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(spec.paths)).toContain("/api/v1/issues");
    } finally {
      await second.stop("SIGTERM");
    }
  }, 60_000);
});
