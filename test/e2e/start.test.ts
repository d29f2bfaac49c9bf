import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServiceProcess } from "../support/process.ts";
import { waitFor } from "../support/wait.ts";

describe("bun start on the embedded database", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gt-start-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test("answers /health with no other service, runs the sandbox, keeps data across restarts", async () => {
    const first = await startServiceProcess({ DATA_DIR: dataDir, GITHUB_REPOS: "octo-org/first" });
    try {
      const health = await fetch(`${first.url}/health`);
      expect(await health.json()).toMatchObject({ status: "ok", database: "pglite", mode: "sandbox" });
      expect(first.output()).toContain("Sandbox mode: no GitHub credentials");
      // The sandbox repository is mirrored from the in-process simulator.
      const issues = await waitFor(
        async () => {
          const page = (await (
            await fetch(`${first.url}/api/v1/issues?repository=octo-org/sandbox&per_page=1`)
          ).json()) as {
            pagination: { total: number };
          };
          return page.pagination.total > 100 && page;
        },
        { what: "the sandbox issues to be mirrored", timeoutMs: 20_000 },
      );
      expect(issues.pagination.total).toBeGreaterThan(100);
      // A tracked repository the (simulated) GitHub does not have says why it is not syncing.
      const stuck = await waitFor(
        async () => {
          const list = (await (
            await fetch(`${first.url}/api/v1/actors?repository=octo-org/first&kind=repository`)
          ).json()) as {
            data: { state: string; last_error: { message: string } | null }[];
          };
          return list.data[0]?.state === "backing-off" && list.data[0];
        },
        { what: "octo-org/first to back off", timeoutMs: 20_000 },
      );
      expect(stuck.last_error?.message).toContain("Not Found");
    } finally {
      expect(await first.stop("SIGTERM")).toBe(0);
    }

    const second = await startServiceProcess({ DATA_DIR: dataDir });
    try {
      const repos = (await (await fetch(`${second.url}/api/v1/repositories`)).json()) as {
        data: { full_name: string }[];
      };
      expect(repos.data.map((r) => r.full_name)).toEqual(["octo-org/first", "octo-org/sandbox"]);
      const spec = (await (await fetch(`${second.url}/swagger/json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(spec.paths)).toContain("/api/v1/issues");
    } finally {
      await second.stop("SIGTERM");
    }
  }, 60_000);
});
