import { Elysia } from "elysia";
import type { ApiDeps } from "../deps.ts";
import { ProblemError } from "../problem.ts";

export function metricsRoutes(deps: ApiDeps) {
  return new Elysia().get(
    "/metrics",
    async () => {
      if (!deps.renderMetrics) throw new ProblemError(503, "Metrics are not enabled in this process");
      return new Response(await deps.renderMetrics(), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    },
    { detail: { tags: ["health"], summary: "Prometheus metrics (text exposition format)" } },
  );
}
