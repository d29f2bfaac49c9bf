/**
 * Conflicts: a field changed both locally and on GitHub, held until someone decides. Resolving queues the
 * decided value through the outbox (local_wins, merged) or takes GitHub's (remote_wins); the repository actor
 * is woken and leaves `conflicted` once none are open.
 */
import { and, count, desc, eq, isNotNull, isNull, type SQL, sql } from "drizzle-orm";
import { Elysia, t } from "elysia";
import type { Tx } from "../../db/client.ts";
import { getRepositoryByName } from "../../db/queries/repositories.ts";
import {
  githubIssues,
  githubLabels,
  githubMilestones,
  githubProjects,
  outbox,
  type SyncConflict,
  syncConflicts,
} from "../../db/schema.ts";
import { refreshSyncState } from "../../github/push/outbox-store.ts";
import { localColumns } from "../../github/push/push-issue.ts";
import { projectColumns } from "../../github/push/push-project.ts";
import type { ApiDeps } from "../deps.ts";
import { errorResponses, iso, PageQuery, Pagination, pagination, RepositoryName } from "../models/common.ts";
import { notFound, ProblemError } from "../problem.ts";

const ConflictModel = t.Object(
  {
    id: t.String({ format: "uuid" }),
    entity_type: t.String(),
    entity_id: t.String({ format: "uuid" }),
    field: t.Nullable(t.String()),
    base: t.Unknown({ description: "The value both sides started from" }),
    local: t.Unknown({ description: "This mirror's value" }),
    remote: t.Unknown({ description: "GitHub's value" }),
    status: t.Union([t.Literal("open"), t.Literal("resolved")]),
    resolution: t.Nullable(t.String()),
    resolved_value: t.Unknown(),
    resolved_at: t.Nullable(t.String({ format: "date-time" })),
    created_at: t.String({ format: "date-time" }),
  },
  {
    examples: [
      {
        id: "8f7b0c2e-3a4d-4e5f-9a6b-7c8d9e0f1a2b",
        entity_type: "issue",
        entity_id: "550e8400-e29b-41d4-a716-446655440000",
        field: "title",
        base: "Sync stalls",
        local: "Sync stalls after token rotation",
        remote: "Sync stalls on large repos",
        status: "open",
        resolution: null,
        resolved_value: null,
        resolved_at: null,
        created_at: "2024-01-15T16:00:00.000Z",
      },
    ],
  },
);

function field(version: Record<string, unknown> | null, name: string | null): unknown {
  return version && name ? (version[name] ?? null) : null;
}

function toDto(row: SyncConflict) {
  return {
    id: row.id,
    entity_type: row.entityType,
    entity_id: row.entityId,
    field: row.field,
    base: field(row.baseVersion, row.field),
    local: field(row.localVersion, row.field),
    remote: field(row.remoteVersion, row.field),
    status: row.resolvedAt ? ("resolved" as const) : ("open" as const),
    resolution: row.resolutionStrategy,
    resolved_value: field(row.resolvedVersion, row.field),
    resolved_at: iso(row.resolvedAt),
    created_at: row.createdAt.toISOString(),
  };
}

/** Put a decided value on the local row (remote_wins shows GitHub's value again). */
async function setLocalField(tx: Tx, conflict: SyncConflict, value: unknown) {
  if (!conflict.field) return;
  if (conflict.entityType === "issue") {
    const set = localColumns({ [conflict.field]: value });
    if (Object.keys(set).length > 0)
      await tx.update(githubIssues).set(set).where(eq(githubIssues.id, conflict.entityId));
  } else if (conflict.entityType === "milestone") {
    const set: Partial<typeof githubMilestones.$inferInsert> = {};
    if (conflict.field === "title") set.title = String(value ?? "");
    if (conflict.field === "description") set.description = (value as string | null) ?? null;
    if (Object.keys(set).length > 0)
      await tx.update(githubMilestones).set(set).where(eq(githubMilestones.id, conflict.entityId));
  } else if (conflict.entityType === "label") {
    const set: Partial<typeof githubLabels.$inferInsert> = {};
    if (conflict.field === "name") set.name = String(value ?? "");
    if (conflict.field === "description") set.description = (value as string | null) ?? null;
    if (conflict.field === "color") set.color = String(value ?? "");
    if (Object.keys(set).length > 0)
      await tx.update(githubLabels).set(set).where(eq(githubLabels.id, conflict.entityId));
  } else if (conflict.entityType === "project") {
    const set = projectColumns({ [conflict.field]: value });
    if (Object.keys(set).length > 0)
      await tx.update(githubProjects).set(set).where(eq(githubProjects.id, conflict.entityId));
  }
}

export function conflictRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/sync/conflicts", tags: ["sync"] })
    .get(
      "",
      async ({ query }) => {
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const where: SQL[] = [];
        const status = query.status ?? "open";
        if (status === "open") where.push(isNull(syncConflicts.resolvedAt));
        if (status === "resolved") where.push(isNotNull(syncConflicts.resolvedAt));
        if (query.entity_type) where.push(eq(syncConflicts.entityType, query.entity_type));
        if (query.repository) {
          const repo = await getRepositoryByName(deps.db, query.repository);
          if (!repo) return { data: [], pagination: pagination(page.page, page.perPage, 0) };
          where.push(eq(syncConflicts.repositoryId, repo.id));
        }
        const condition = and(...where);
        const [rows, totals] = await Promise.all([
          deps.db
            .select()
            .from(syncConflicts)
            .where(condition)
            .orderBy(desc(syncConflicts.createdAt))
            .limit(page.perPage)
            .offset((page.page - 1) * page.perPage),
          deps.db.select({ total: count() }).from(syncConflicts).where(condition),
        ]);
        return {
          data: rows.map(toDto),
          pagination: pagination(page.page, page.perPage, totals[0]?.total ?? 0),
        };
      },
      {
        query: t.Object({
          repository: t.Optional(RepositoryName),
          status: t.Optional(
            t.Union([t.Literal("open"), t.Literal("resolved"), t.Literal("all")], { default: "open" }),
          ),
          entity_type: t.Optional(
            t.Union([
              t.Literal("issue"),
              t.Literal("milestone"),
              t.Literal("label"),
              t.Literal("project"),
              t.Literal("project_item"),
            ]),
          ),
          ...PageQuery,
        }),
        response: {
          200: t.Object({ data: t.Array(ConflictModel), pagination: Pagination }),
          422: errorResponses[422],
        },
        detail: {
          summary: "Sync conflicts (open by default)",
          description: "Fields changed on both sides, with base, local and remote values.",
        },
      },
    )
    .post(
      "/:id/resolve",
      async ({ params, body }) => {
        const [conflict] = await deps.db
          .select()
          .from(syncConflicts)
          .where(eq(syncConflicts.id, params.id))
          .limit(1);
        if (!conflict) throw notFound("Conflict", params.id);
        if (conflict.resolvedAt)
          throw new ProblemError(
            409,
            `Conflict ${params.id} is already resolved (${conflict.resolutionStrategy})`,
          );
        if (body.strategy === "merged" && body.value === undefined) {
          throw new ProblemError(422, "value is required with strategy merged", {
            errors: [{ field: "value", message: "required with strategy merged" }],
          });
        }
        const local = field(conflict.localVersion, conflict.field);
        const remote = field(conflict.remoteVersion, conflict.field);
        const value =
          body.strategy === "local_wins" ? local : body.strategy === "remote_wins" ? remote : body.value;
        const resolved = await deps.db.transaction(async (tx) => {
          const [row] = await tx
            .update(syncConflicts)
            .set({
              resolutionStrategy: body.strategy,
              resolvedVersion: conflict.field ? { [conflict.field]: value } : { value },
              resolvedAt: sql`now()`,
              resolvedBy: "api",
            })
            .where(and(eq(syncConflicts.id, conflict.id), isNull(syncConflicts.resolvedAt)))
            .returning();
          if (!row) throw new ProblemError(409, `Conflict ${params.id} was resolved meanwhile`);
          await setLocalField(tx, conflict, value);
          if (body.strategy !== "remote_wins" && conflict.field && conflict.repositoryId) {
            // GitHub holds `remote`: sending `value` against that base goes through the merge cleanly.
            await tx.insert(outbox).values({
              repositoryId: conflict.repositoryId,
              entityType: conflict.entityType,
              entityId: conflict.entityId,
              operation: "update",
              patch: { [conflict.field]: value },
              base: { [conflict.field]: remote },
              createdBy: "conflict-resolution",
            });
          }
          // The held entry is finished once none of its conflicts is open.
          if (conflict.outboxId !== null) {
            await tx.execute(sql`update outbox set status = 'done', completed_at = now()
              where id = ${conflict.outboxId} and status = 'conflicted'
                and not exists (select 1 from sync_conflicts c where c.outbox_id = ${conflict.outboxId} and c.resolved_at is null)`);
          }
          await refreshSyncState(tx, conflict.entityType, conflict.entityId);
          return row;
        });
        if (conflict.repositoryId) await deps.runtime?.wake(conflict.repositoryId, "local_write");
        return toDto(resolved);
      },
      {
        params: t.Object({ id: t.String({ format: "uuid" }) }),
        body: t.Object({
          strategy: t.Union([t.Literal("local_wins"), t.Literal("remote_wins"), t.Literal("merged")]),
          value: t.Optional(t.Unknown({ description: "The merged value (strategy merged)" })),
        }),
        response: {
          200: ConflictModel,
          404: errorResponses[404],
          409: errorResponses[404],
          422: errorResponses[422],
        },
        detail: {
          summary: "Resolve a conflict",
          description:
            "local_wins pushes this mirror's value, remote_wins keeps GitHub's, merged pushes `value`.",
        },
      },
    );
}
