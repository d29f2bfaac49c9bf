/** One stored repository event → the mirror, through the same mappers and write paths as the pull sync. */
import type { Tx } from "../db/client.ts";
import type { Repository, WebhookEvent } from "../db/schema.ts";
import { applyIssuesEvent } from "./apply/issues.ts";
import { applyLabelEvent } from "./apply/labels.ts";
import { applyMilestoneEvent } from "./apply/milestones.ts";

export async function applyRepositoryEvent(
  tx: Tx,
  repo: Pick<Repository, "id" | "fullName">,
  event: Pick<WebhookEvent, "eventType" | "payload">,
): Promise<"processed" | "ignored"> {
  switch (event.eventType) {
    case "issues":
      await applyIssuesEvent(tx, repo, event.payload);
      return "processed";
    case "milestone":
      await applyMilestoneEvent(tx, repo, event.payload);
      return "processed";
    case "label":
      await applyLabelEvent(tx, repo, event.payload);
      return "processed";
    default:
      return "ignored";
  }
}
