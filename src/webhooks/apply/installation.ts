/**
 * installation and installation_repositories (GitHub App mode): repositories the App is installed on are
 * tracked, and untracked (disabled, never deleted: their mirror and history stay) when removed, suspended or
 * uninstalled. These events have no repository, so they are applied without a repository fence; every write
 * here is an idempotent upsert or flag, safe to apply twice or from two replicas.
 */
import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Executor } from "../../db/client.ts";
import { repositories } from "../../db/schema.ts";
import type { InstallationPayload, InstallationRepository } from "../payloads.ts";

export interface InstallationEvent {
  eventType: string;
  action: string | null;
  payload: Record<string, unknown>;
}

export interface InstallationChange {
  tracked: string[];
  untracked: string[];
}

export async function applyInstallationEvent(
  db: Executor,
  event: InstallationEvent,
): Promise<InstallationChange> {
  const payload = event.payload as unknown as InstallationPayload;
  const installationId = payload.installation?.id;
  if (typeof installationId !== "number")
    throw new Error(`${event.eventType} payload has no installation id`);
  const key = `${event.eventType}.${event.action ?? ""}`;
  switch (key) {
    case "installation.created":
    case "installation.new_permissions_accepted":
      return { tracked: await track(db, installationId, payload.repositories ?? []), untracked: [] };
    case "installation.unsuspend":
      return {
        tracked: [
          ...(await track(db, installationId, payload.repositories ?? [])),
          ...(await setEnabledForInstallation(db, installationId, true)),
        ],
        untracked: [],
      };
    case "installation.deleted":
    case "installation.suspend":
      return { tracked: [], untracked: await setEnabledForInstallation(db, installationId, false) };
    case "installation_repositories.added":
      return { tracked: await track(db, installationId, payload.repositories_added ?? []), untracked: [] };
    case "installation_repositories.removed":
      return { tracked: [], untracked: await untrack(db, payload.repositories_removed ?? []) };
    default:
      return { tracked: [], untracked: [] };
  }
}

async function track(
  db: Executor,
  installationId: number,
  repos: InstallationRepository[],
): Promise<string[]> {
  const done: string[] = [];
  for (const repo of repos) {
    const fullName = repo.full_name.toLowerCase();
    const [owner = "", name = ""] = fullName.split("/");
    const values = { fullName, owner, name, githubId: repo.id, nodeId: repo.node_id ?? null, installationId };
    // A renamed repository keeps its GitHub id: update that row first, so the name follows the rename.
    const renamed = await db
      .update(repositories)
      .set({ ...values, enabled: true, updatedAt: sql`now()` })
      .where(eq(repositories.githubId, repo.id))
      .returning({ id: repositories.id });
    if (renamed.length === 0) {
      await db
        .insert(repositories)
        .values({ ...values, enabled: true })
        .onConflictDoUpdate({
          target: repositories.fullName,
          set: {
            githubId: repo.id,
            nodeId: values.nodeId,
            installationId,
            enabled: true,
            updatedAt: sql`now()`,
          },
        });
    }
    done.push(fullName);
  }
  return done;
}

async function untrack(db: Executor, repos: InstallationRepository[]): Promise<string[]> {
  if (repos.length === 0) return [];
  const rows = await db
    .update(repositories)
    .set({ enabled: false, updatedAt: sql`now()` })
    .where(
      or(
        inArray(
          repositories.githubId,
          repos.map((r) => r.id),
        ),
        inArray(
          repositories.fullName,
          repos.map((r) => r.full_name.toLowerCase()),
        ),
      ),
    )
    .returning({ fullName: repositories.fullName });
  return rows.map((r) => r.fullName);
}

async function setEnabledForInstallation(
  db: Executor,
  installationId: number,
  enabled: boolean,
): Promise<string[]> {
  const rows = await db
    .update(repositories)
    .set({ enabled, updatedAt: sql`now()` })
    .where(and(eq(repositories.installationId, installationId), eq(repositories.enabled, !enabled)))
    .returning({ fullName: repositories.fullName });
  return rows.map((r) => r.fullName);
}
