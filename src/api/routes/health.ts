import { Elysia, t } from "elysia";
import type { VersionInfo } from "../../version.ts";
import type { ApiDeps } from "../deps.ts";

const Check = t.Object({
  status: t.Union([t.Literal("ok"), t.Literal("failing")]),
  latency_ms: t.Number(),
  error: t.Optional(t.String()),
});

const HealthModel = t.Object({
  status: t.Union([t.Literal("ok"), t.Literal("failing")]),
  mode: t.Union([t.Literal("sandbox"), t.Literal("github")], {
    description: "sandbox: no GitHub credentials, the built-in simulator stands in for GitHub",
  }),
  database: t.Union([t.Literal("postgres"), t.Literal("pglite")]),
  checks: t.Object({
    database: Check,
    runtime: t.Optional(
      t.Object(
        { status: t.Union([t.Literal("ok"), t.Literal("failing")]), state: t.String() },
        {
          description: "The actor runtime: ready once it is starting to drive repositories",
        },
      ),
    ),
  }),
});

async function checkDatabase(deps: ApiDeps) {
  const started = performance.now();
  try {
    await deps.database.ping();
    return { status: "ok" as const, latency_ms: Math.round((performance.now() - started) * 100) / 100 };
  } catch (error) {
    return {
      status: "failing" as const,
      latency_ms: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

export function healthRoutes(deps: ApiDeps, version: VersionInfo) {
  const report = async () => {
    const database = await checkDatabase(deps);
    const runtime = deps.runtimeState
      ? {
          status: deps.runtimeState === "running" ? ("ok" as const) : ("failing" as const),
          state: deps.runtimeState,
        }
      : undefined;
    const ok = database.status === "ok" && (runtime === undefined || runtime.status === "ok");
    return {
      status: ok ? ("ok" as const) : ("failing" as const),
      mode: deps.config.sandbox ? ("sandbox" as const) : ("github" as const),
      database: deps.database.driver,
      checks: { database, ...(runtime ? { runtime } : {}) },
    };
  };
  return new Elysia({ tags: ["health"] })
    .get(
      "/health",
      async ({ set }) => {
        const body = await report();
        if (body.status !== "ok") set.status = 503;
        return body;
      },
      {
        response: { 200: HealthModel, 503: HealthModel },
        detail: { summary: "Service health with its checks" },
      },
    )
    .get("/health/live", () => ({ status: "ok" as const }), {
      response: t.Object({ status: t.Literal("ok") }),
      detail: { summary: "Liveness: the process answers" },
    })
    .get(
      "/health/ready",
      async ({ set }) => {
        const body = await report();
        if (body.status !== "ok") set.status = 503;
        return body;
      },
      {
        response: { 200: HealthModel, 503: HealthModel },
        detail: { summary: "Readiness: the database answers; 503 otherwise" },
      },
    )
    .get("/version", () => version, {
      response: t.Object({
        name: t.String(),
        version: t.String(),
        commit: t.Nullable(t.String()),
        runtime: t.String(),
      }),
      detail: { summary: "Name, version, git commit and runtime" },
    });
}
