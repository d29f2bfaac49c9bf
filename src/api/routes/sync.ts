import { and, count, desc, eq, gte, type SQL } from "drizzle-orm";
import { Elysia, t } from "elysia";
import { getRepositoryByName } from "../../db/queries/repositories.ts";
import { actorSnapshots, githubRateLimits, repositories, syncOperations } from "../../db/schema.ts";
import type { ApiDeps } from "../deps.ts";
import { errorResponses, iso, PageQuery, pagination, RepositoryName } from "../models/common.ts";
import { OperationList, OperationModel, SyncStatusModel, toOperationDto } from "../models/sync.ts";
import { notFound, ProblemError } from "../problem.ts";

const SyncType = t.Union([t.Literal("full"), t.Literal("incremental")], {
  default: "incremental",
  description:
    "full re-reads everything and detects deletions; incremental reads what changed since the last sync",
});
const Direction = t.Union([t.Literal("from_github"), t.Literal("to_github"), t.Literal("bidirectional")], {
  default: "bidirectional",
});

function msToIso(value: unknown): string | null {
  return typeof value === "number" ? new Date(value).toISOString() : null;
}

export function syncRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/sync", tags: ["sync"] })
    .post(
      "/trigger",
      async ({ body, set }) => {
        const repo = await getRepositoryByName(deps.db, body.repository);
        if (!repo) throw notFound("Repository", body.repository);
        if (!repo.enabled)
          throw new ProblemError(
            409,
            `${repo.fullName} is not tracked (disabled); POST /api/v1/repositories to track it`,
          );
        if (!deps.runtime) throw new ProblemError(503, "The actor runtime is not running in this process");
        const syncType = body.sync_type ?? "incremental";
        const direction = body.direction ?? "bidirectional";
        const [operation] = await deps.db
          .insert(syncOperations)
          .values({
            repositoryId: repo.id,
            repositoryFullName: repo.fullName,
            operationType: "all",
            syncType,
            direction,
            status: "pending",
            startedAt: null,
            createdBy: "api",
          })
          .returning();
        if (!operation) throw new Error("could not record the operation");
        await deps.runtime.trigger(repo.id, { operationId: operation.id, syncType, direction });
        set.status = 202;
        return {
          operation_id: operation.id,
          status: "pending",
          repository: repo.fullName,
          sync_type: syncType,
          direction,
          created_at: operation.createdAt.toISOString(),
          status_url: `/api/v1/sync/operations/${operation.id}`,
        };
      },
      {
        body: t.Object({
          repository: RepositoryName,
          sync_type: t.Optional(SyncType),
          direction: t.Optional(Direction),
        }),
        response: {
          202: t.Object({
            operation_id: t.String({ format: "uuid" }),
            status: t.String(),
            repository: t.String(),
            sync_type: t.String(),
            direction: t.String(),
            created_at: t.String({ format: "date-time" }),
            status_url: t.String(),
          }),
          404: errorResponses[404],
          409: errorResponses[404],
          422: errorResponses[422],
        },
        detail: {
          summary: "Trigger a sync",
          description:
            "Queues a sync on the replica driving the repository and answers at once with the operation id. A repository " +
            "that is backing off (rate limit) runs it when the wait is over; follow it at status_url.",
        },
      },
    )
    .get(
      "/status",
      async () => {
        const rows = await deps.db
          .select({ repo: repositories, actor: actorSnapshots })
          .from(repositories)
          .leftJoin(
            actorSnapshots,
            and(eq(actorSnapshots.repositoryId, repositories.id), eq(actorSnapshots.kind, "repository")),
          )
          .orderBy(repositories.fullName);
        const budget = await deps.db.select().from(githubRateLimits).orderBy(githubRateLimits.resource);
        return {
          repositories: rows.map(({ repo, actor }) => {
            const context = ((actor?.snapshot as { context?: Record<string, unknown> } | undefined)
              ?.context ?? {}) as Record<string, unknown>;
            return {
              repository: repo.fullName,
              enabled: repo.enabled,
              state: actor?.stateValue ?? null,
              since: iso(actor?.stateSince ?? null),
              driven_by: repo.leaseHolder,
              last_success_at: msToIso(context.lastSuccessAt),
              next_poll_at: msToIso(context.nextPollAt),
              retry_at: msToIso(context.retryAt),
              retry_count: actor?.retryCount ?? 0,
              last_error: actor?.lastError ?? null,
              synced_through: {
                issues: iso(repo.issuesSyncedThrough),
                milestones: iso(repo.milestonesSyncedThrough),
                labels: iso(repo.labelsSyncedAt),
              },
            };
          }),
          rate_budget: budget.map((b) => ({
            credential: b.credential,
            resource: b.resource,
            limit: b.limit,
            remaining: b.remaining,
            used: b.used,
            reset_at: b.resetAt.toISOString(),
          })),
        };
      },
      {
        response: SyncStatusModel,
        detail: {
          summary: "Sync status per repository and the rate budget",
          description:
            "State, last success, next poll, back-off deadline and last error of every repository; GitHub's rate figures per credential.",
        },
      },
    )
    .get(
      "/operations",
      async ({ query }) => {
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const where: SQL[] = [];
        if (query.repository)
          where.push(eq(syncOperations.repositoryFullName, query.repository.toLowerCase()));
        if (query.status) where.push(eq(syncOperations.status, query.status));
        if (query.sync_type) where.push(eq(syncOperations.syncType, query.sync_type));
        if (query.since) where.push(gte(syncOperations.createdAt, new Date(query.since)));
        const condition = and(...where);
        const [rows, totals] = await Promise.all([
          deps.db
            .select()
            .from(syncOperations)
            .where(condition)
            .orderBy(desc(syncOperations.createdAt), desc(syncOperations.id))
            .limit(page.perPage)
            .offset((page.page - 1) * page.perPage),
          deps.db.select({ total: count() }).from(syncOperations).where(condition),
        ]);
        const now = Date.now();
        return {
          data: rows.map((row) => toOperationDto(row, now)),
          pagination: pagination(page.page, page.perPage, totals[0]?.total ?? 0),
        };
      },
      {
        query: t.Object({
          repository: t.Optional(RepositoryName),
          status: t.Optional(
            t.Union([
              t.Literal("pending"),
              t.Literal("running"),
              t.Literal("completed"),
              t.Literal("failed"),
              t.Literal("cancelled"),
            ]),
          ),
          sync_type: t.Optional(
            t.Union([t.Literal("full"), t.Literal("incremental"), t.Literal("reconcile")]),
          ),
          since: t.Optional(t.String({ format: "date-time", description: "Created at or after" })),
          ...PageQuery,
        }),
        response: { 200: OperationList, 422: errorResponses[422] },
        detail: {
          summary: "Sync operations, newest first",
          description: "With progress, percent, ETA and error details.",
        },
      },
    )
    .get(
      "/operations/:id",
      async ({ params }) => {
        const [row] = await deps.db
          .select()
          .from(syncOperations)
          .where(eq(syncOperations.id, params.id))
          .limit(1);
        if (!row) throw notFound("Operation", params.id);
        return toOperationDto(row, Date.now());
      },
      {
        params: t.Object({ id: t.String({ format: "uuid" }) }),
        response: { 200: OperationModel, ...errorResponses },
        detail: { summary: "One sync operation with its progress" },
      },
    );
}
