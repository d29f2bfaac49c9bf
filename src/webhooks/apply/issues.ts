/** issues.* → the issue write path. Every action carries the full issue, so all but two are an upsert. */
import type { Tx } from "../../db/client.ts";
import type { Repository } from "../../db/schema.ts";
import { markIssueTransferred, tombstoneIssue, upsertIssues } from "../../db/writes/issues.ts";
import { isPullRequest, mapIssue } from "../../github/mappers/issue.ts";
import { type IssuesPayload, requireObject } from "../payloads.ts";

export async function applyIssuesEvent(
  tx: Tx,
  repo: Pick<Repository, "id" | "fullName">,
  raw: Record<string, unknown>,
): Promise<void> {
  const payload = requireObject<IssuesPayload>(raw, "issue", "issues");
  const issue = payload.issue;
  // Pull requests come as pull_request events; an issues event never carries one, but be sure.
  if (isPullRequest(issue)) return;
  switch (payload.action) {
    case "deleted":
      await tombstoneIssue(tx, issue.id);
      return;
    case "transferred": {
      const to = payload.changes?.new_repository?.full_name;
      const number = payload.changes?.new_issue?.number;
      if (!to || number === undefined)
        throw new Error("issues.transferred without changes.new_issue/new_repository");
      // Keep the last known state, then mark where it went (the new repository gets its own issues.opened).
      await upsertIssues(tx, [mapIssue(repo, issue)]);
      await markIssueTransferred(tx, issue.id, `${to}#${number}`);
      return;
    }
    default:
      // opened, edited, closed, reopened, (un)labeled, (de)milestoned, (un)assigned, (un)locked, (un)pinned,
      // (un)typed: the write path refuses a payload older than the row, so order and duplicates do not matter.
      await upsertIssues(tx, [mapIssue(repo, issue)]);
  }
}
