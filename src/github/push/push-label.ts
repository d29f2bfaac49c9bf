/**
 * Pushing one outbox entry for a label. GitHub addresses labels by name, not id (`/labels/{name}`), and a
 * label renamed on github.com since our last pull is no longer where we think: the current name is looked up
 * by id (the last name we know first, then the listing). Names are unique per repository (case-insensitive),
 * so a create whose response was lost is recognised by its name.
 */
import { eq } from "drizzle-orm";
import { withFence } from "../../actors/fence.ts";
import type { Label, OutboxEntry, Repository } from "../../db/schema.ts";
import { githubLabels } from "../../db/schema.ts";
import { adoptLabel, tombstoneLabelById } from "../../db/writes/labels.ts";
import { parseLink } from "../client.ts";
import { type GitHubLabel, mapLabel } from "../mappers/label.ts";
import { mergeEntity } from "./merge.ts";
import { finishEntry, markAttempt, refreshSyncState } from "./outbox-store.ts";
import type { PushContext } from "./push-context.ts";
import { failEntry, recordConflicts } from "./push-entity.ts";

const labelPath = (repo: Repository, name: string) =>
  `/repos/${repo.fullName}/labels/${encodeURIComponent(name)}`;

function remoteView(label: GitHubLabel): Record<string, unknown> {
  return { name: label.name, color: label.color.toLowerCase(), description: label.description ?? null };
}

async function byName(ctx: PushContext, repo: Repository, name: string): Promise<GitHubLabel | null> {
  try {
    return (await ctx.api.get<GitHubLabel>(labelPath(repo, name), { conditional: false })).data;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null;
    throw error;
  }
}

/** The label as GitHub has it now, found by id; null when GitHub no longer has it. */
async function current(
  ctx: PushContext,
  repo: Repository,
  githubId: number,
  knownName: string,
): Promise<GitHubLabel | null> {
  const guess = await byName(ctx, repo, knownName);
  if (guess?.id === githubId) return guess;
  let url: string | null = `/repos/${repo.fullName}/labels?per_page=100`;
  while (url) {
    const page: { data: GitHubLabel[] | null; link: string | null } = await ctx.api.get<GitHubLabel[]>(url, {
      conditional: false,
    });
    const found = (page.data ?? []).find((l) => l.id === githubId);
    if (found) return found;
    url = parseLink(page.link).next ?? null;
  }
  return null;
}

/** GitHub's body for a create or an edit: a rename is `new_name` on PATCH. */
function requestBody(fields: Record<string, unknown>, rename: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if ("name" in fields) body[rename ? "new_name" : "name"] = fields.name;
  if ("color" in fields) body.color = fields.color;
  if ("description" in fields) body.description = fields.description ?? "";
  return body;
}

async function pushCreate(ctx: PushContext, repo: Repository, entry: OutboxEntry, local: Label) {
  const name = String((entry.patch as { name?: unknown }).name ?? local.name);
  // An earlier attempt may have created it with its response lost: adopt, never create twice.
  let created = entry.attempts > 0 ? await byName(ctx, repo, name) : null;
  if (!created) {
    await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
    created = await ctx.api.write<GitHubLabel>(
      "POST",
      `/repos/${repo.fullName}/labels`,
      requestBody(entry.patch, false),
    );
  }
  const remote = created;
  await withFence(ctx.db, ctx.fence, async (tx) => {
    await adoptLabel(tx, local.id, mapLabel(repo, remote), null);
    await finishEntry(tx, entry.id, "done");
    await refreshSyncState(tx, "label", local.id);
  });
}

async function pushUpdate(
  ctx: PushContext,
  repo: Repository,
  entry: OutboxEntry,
  local: Label,
  githubId: number,
  folded: number[],
) {
  const knownName = String((entry.base as { name?: unknown } | null)?.name ?? local.name);
  const remote = await current(ctx, repo, githubId, knownName);
  if (!remote) {
    await withFence(ctx.db, ctx.fence, (tx) => tombstoneLabelById(tx, local.id, knownName));
    return failEntry(ctx, entry, "the label was deleted on GitHub");
  }
  const merge = mergeEntity("label", entry.base, entry.patch, remoteView(remote), ctx.policies);
  let result = remote;
  if (Object.keys(merge.push).length > 0) {
    await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
    result = await ctx.api.write<GitHubLabel>(
      "PATCH",
      labelPath(repo, remote.name),
      requestBody(merge.push, true),
    );
  }
  await withFence(ctx.db, ctx.fence, async (tx) => {
    await recordConflicts(tx, repo.id, "label", local.id, entry.id, merge.conflicts);
    await adoptLabel(tx, local.id, mapLabel(repo, result), remote.name);
    // Conflicting fields keep showing the local value until someone decides.
    const held = Object.fromEntries(merge.conflicts.map((c) => [c.field, c.local]));
    if (merge.conflicts.length > 0)
      await tx.update(githubLabels).set(held).where(eq(githubLabels.id, local.id));
    await finishEntry(tx, entry.id, merge.conflicts.length > 0 ? "conflicted" : "done", undefined, folded);
    await refreshSyncState(tx, "label", local.id);
  });
}

async function pushDelete(ctx: PushContext, repo: Repository, entry: OutboxEntry, local: Label) {
  const knownName = String((entry.base as { name?: unknown } | null)?.name ?? local.name);
  const remote = local.githubId === null ? null : await current(ctx, repo, local.githubId, knownName);
  if (remote) {
    await withFence(ctx.db, ctx.fence, (tx) => markAttempt(tx, entry.id));
    try {
      await ctx.api.write("DELETE", labelPath(repo, remote.name), {});
    } catch (error) {
      // Deleted meanwhile (by someone else, or by our own attempt whose response was lost): the goal is met.
      if ((error as { status?: number }).status !== 404) throw error;
    }
  }
  await withFence(ctx.db, ctx.fence, async (tx) => {
    await tombstoneLabelById(tx, local.id, remote?.name ?? knownName);
    await finishEntry(tx, entry.id, "done");
    await refreshSyncState(tx, "label", local.id);
  });
}

export async function pushLabel(
  ctx: PushContext,
  repo: Repository,
  entry: OutboxEntry,
  folded: number[] = [],
): Promise<void> {
  const [local] = await ctx.db
    .select()
    .from(githubLabels)
    .where(eq(githubLabels.id, entry.entityId))
    .limit(1);
  if (!local) return failEntry(ctx, entry, "the local label no longer exists");
  if (entry.operation === "create") return pushCreate(ctx, repo, entry, local);
  if (entry.operation === "delete") return pushDelete(ctx, repo, entry, local);
  if (local.githubId === null) {
    return failEntry(ctx, entry, "the label was never created on GitHub");
  }
  return pushUpdate(ctx, repo, entry, local, local.githubId, folded);
}
