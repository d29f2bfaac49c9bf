/**
 * The sandbox, black-box: `bun start` with no credentials, an edit "on github.com" (the in-process simulator's
 * control API) reaching the mirror by webhook, and a local write through the API reaching GitHub.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServiceProcess } from "../support/process.ts";
import { waitFor } from "../support/wait.ts";

interface IssueDto {
  id: string;
  number: number;
  title: string;
  sync: { state: string; version: number };
}

describe("sandbox two-way sync", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "gt-sandbox-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test("a remote edit arrives by webhook; a local edit reaches GitHub", async () => {
    const service = await startServiceProcess({
      DATA_DIR: dataDir,
      GITHUB_WRITE_SPACING_MS: "0",
      LOG_LEVEL: "info",
    });
    try {
      const simUrl = service.output().match(/in-process at (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      const token = service.output().match(/Sandbox API token: (\S+?)["\s]/)?.[1];
      expect(simUrl).toBeDefined();
      expect(token).toBeDefined();
      const first = await waitFor(
        async () => {
          const page = (await (
            await fetch(
              `${service.url}/api/v1/issues?repository=octo-org/sandbox&sort=number&direction=asc&per_page=2`,
            )
          ).json()) as { data: IssueDto[] };
          return page.data.length === 2 && page.data;
        },
        { what: "the sandbox to be mirrored", timeoutMs: 20_000 },
      );
      const [remoteEdited, localEdited] = first as [IssueDto, IssueDto];

      // "Someone edits the issue on github.com": the webhook brings it, no poll needed (the interval is 5 min).
      await fetch(`${simUrl}/_sim/editIssue`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          owner: "octo-org",
          repo: "sandbox",
          number: remoteEdited.number,
          title: "Edited on github.com",
        }),
      });
      await waitFor(
        async () => {
          const issue = (await (
            await fetch(`${service.url}/api/v1/issues/${remoteEdited.id}`)
          ).json()) as IssueDto;
          return issue.title === "Edited on github.com";
        },
        { what: "the webhook to update the mirror", timeoutMs: 10_000 },
      );

      // A local app edits an issue: 202 pending at once, then GitHub has it and the row is synced.
      const put = await fetch(`${service.url}/api/v1/issues/${localEdited.id}`, {
        method: "PUT",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ title: "Edited locally" }),
      });
      expect(put.status).toBe(202);
      expect(((await put.json()) as IssueDto).sync.state).toBe("pending");
      await waitFor(
        async () => {
          const remote = (await (
            await fetch(`${simUrl}/repos/octo-org/sandbox/issues/${localEdited.number}`, {
              headers: { authorization: "token sim-token" },
            })
          ).json()) as { title: string };
          const local = (await (
            await fetch(`${service.url}/api/v1/issues/${localEdited.id}`)
          ).json()) as IssueDto;
          return remote.title === "Edited locally" && local.sync.state === "synced";
        },
        { what: "the local edit to reach GitHub", timeoutMs: 15_000 },
      );
      // Writes without the token are refused and change nothing.
      const anonymous = await fetch(`${service.url}/api/v1/issues/${localEdited.id}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "Not allowed" }),
      });
      expect(anonymous.status).toBe(401);
    } finally {
      await service.stop("SIGTERM");
    }
  }, 60_000);
});
