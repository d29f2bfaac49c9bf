import { inArray } from "drizzle-orm";
import { Elysia, t } from "elysia";
import { UnsupportedActionError } from "../../actors/runtime.ts";
import { listActors, listTransitions, loadActor } from "../../actors/snapshot-store.ts";
import { getRepositoryByName } from "../../db/queries/repositories.ts";
import { repositories } from "../../db/schema.ts";
import type { ApiDeps } from "../deps.ts";
import { ActorList, ActorModel, TransitionList, toActorDto, toTransitionDto } from "../models/actor.ts";
import { errorResponses, PageQuery, pagination, queryInteger, RepositoryName } from "../models/common.ts";
import { notFound, ProblemError } from "../problem.ts";

const DEFAULT_STUCK_AFTER_SECONDS = 600;

const ActorParams = t.Object({
  id: t.String({ pattern: "^(repository|sync_operation):[0-9a-f-]{36}$", description: "The actor id" }),
});

export function actorRoutes(deps: ApiDeps) {
  const names = async (ids: (string | null)[]) => {
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
    if (wanted.length === 0) return new Map<string, string>();
    const rows = await deps.db
      .select({ id: repositories.id, fullName: repositories.fullName })
      .from(repositories)
      .where(inArray(repositories.id, wanted));
    return new Map(rows.map((r) => [r.id, r.fullName]));
  };

  return new Elysia({ prefix: "/actors", tags: ["actors"] })
    .get(
      "",
      async ({ query }) => {
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const stuckAfterMs = (query.stuck_after_seconds ?? DEFAULT_STUCK_AFTER_SECONDS) * 1000;
        let repositoryId: string | undefined;
        if (query.repository) {
          const repo = await getRepositoryByName(deps.db, query.repository);
          if (!repo) return { data: [], pagination: pagination(page.page, page.perPage, 0) };
          repositoryId = repo.id;
        }
        const { rows, total } = await listActors(
          deps.db,
          {
            kind: query.kind,
            state: query.state,
            repositoryId,
            ...(query.stuck ? { stuckAfterMs } : {}),
          },
          page,
        );
        const byId = await names(rows.map((r) => r.repositoryId));
        const now = Date.now();
        return {
          data: rows.map((row) =>
            toActorDto(row, byId.get(row.repositoryId ?? "") ?? null, stuckAfterMs, now),
          ),
          pagination: pagination(page.page, page.perPage, total),
        };
      },
      {
        query: t.Object({
          kind: t.Optional(t.Union([t.Literal("repository"), t.Literal("sync_operation")])),
          state: t.Optional(t.String({ minLength: 1, description: "e.g. backing-off" })),
          repository: t.Optional(RepositoryName),
          stuck: t.Optional(
            t.Boolean({
              description: "Only actors whose deadline is overdue or that stayed busy in one state too long",
            }),
          ),
          stuck_after_seconds: queryInteger("stuck_after_seconds", {
            minimum: 1,
            maximum: 86_400 * 30,
            default: DEFAULT_STUCK_AFTER_SECONDS,
            description: "Threshold for `stuck` (default 600)",
          }),
          ...PageQuery,
        }),
        response: { 200: ActorList, 422: errorResponses[422] },
        detail: {
          summary: "List state-machine actors",
          description:
            "Every repository and sync-operation actor with its state, since when, epoch, holder, next deadline, " +
            'retry count and last error. `stuck=true` answers "why is my sync not moving?"',
        },
      },
    )
    .get(
      "/:id",
      async ({ params }) => {
        const row = await loadActor(deps.db, params.id);
        if (!row) throw notFound("Actor", params.id);
        const byId = await names([row.repositoryId]);
        return toActorDto(
          row,
          byId.get(row.repositoryId ?? "") ?? null,
          DEFAULT_STUCK_AFTER_SECONDS * 1000,
          Date.now(),
        );
      },
      {
        params: ActorParams,
        response: { 200: ActorModel, ...errorResponses },
        detail: { summary: "One actor, with its last error and stack" },
      },
    )
    .get(
      "/:id/transitions",
      async ({ params, query }) => {
        const row = await loadActor(deps.db, params.id);
        if (!row) throw notFound("Actor", params.id);
        const page = { page: query.page ?? 1, perPage: query.per_page ?? 20 };
        const { rows, total } = await listTransitions(deps.db, params.id, page);
        return { data: rows.map(toTransitionDto), pagination: pagination(page.page, page.perPage, total) };
      },
      {
        params: ActorParams,
        query: t.Object(PageQuery),
        response: { 200: TransitionList, ...errorResponses },
        detail: {
          summary: "An actor's transition log, newest first",
          description:
            "Event, from, to, lease epoch and replica of every persisted transition; kept after runs end.",
        },
      },
    )
    .post(
      "/:id/events",
      async ({ params, body, set }) => {
        const runtime = deps.runtime;
        if (!runtime) throw new ProblemError(503, "The actor runtime is not running in this process");
        const row = await loadActor(deps.db, params.id);
        if (!row?.repositoryId) throw notFound("Actor", params.id);
        if (row.status !== "active") {
          throw new ProblemError(
            409,
            `Actor ${params.id} has finished (${row.stateValue}); it takes no more events`,
          );
        }
        const [repo] = await deps.db
          .select({ holder: repositories.leaseHolder })
          .from(repositories)
          .where(inArray(repositories.id, [row.repositoryId]));
        if (!repo?.holder) {
          throw new ProblemError(
            409,
            "No replica is driving this repository right now; try again in a few seconds",
          );
        }
        try {
          const delivered = await runtime.operatorAction(
            { actorId: row.actorId, repositoryId: row.repositoryId, kind: row.kind },
            body.type,
          );
          set.status = 202;
          return {
            accepted: true,
            actor_id: row.actorId,
            event: body.type,
            delivered_to: delivered === "local" ? "this replica" : repo.holder,
          };
        } catch (error) {
          if (error instanceof UnsupportedActionError) throw new ProblemError(409, error.message);
          throw error;
        }
      },
      {
        params: ActorParams,
        body: t.Object({
          type: t.Union(
            [t.Literal("retry-now"), t.Literal("pause"), t.Literal("resume"), t.Literal("cancel")],
            {
              description:
                "retry-now ends a back-off at once; pause/resume stop and restart polling; cancel ends the running operation",
            },
          ),
        }),
        response: {
          202: t.Object({
            accepted: t.Boolean(),
            actor_id: t.String(),
            event: t.String(),
            delivered_to: t.String(),
          }),
          404: errorResponses[404],
          409: errorResponses[404],
          422: errorResponses[422],
        },
        detail: {
          summary: "Send an operator action to an actor",
          description:
            "Delivered to the replica that drives the repository and recorded in the transition log.",
        },
      },
    );
}
