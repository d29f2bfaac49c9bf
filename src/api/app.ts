/**
 * The HTTP application: one Elysia plugin per resource, errors mapped in one place (error-handler.ts).
 * Built from explicit dependencies so tests drive it with `app.handle(new Request(...))`, no port needed.
 */
import { Elysia } from "elysia";
import type { VersionInfo } from "../version.ts";
import { authGuard } from "./auth.ts";
import type { ApiDeps } from "./deps.ts";
import { mapError } from "./error-handler.ts";
import { createHttpMetrics } from "./http-metrics.ts";
import { actorRoutes } from "./routes/actors.ts";
import { conflictRoutes } from "./routes/conflicts.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { inspectRoutes } from "./routes/inspect.ts";
import { issueRoutes } from "./routes/issues.ts";
import { labelRoutes } from "./routes/labels.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { milestoneRoutes } from "./routes/milestones.ts";
import { projectRoutes } from "./routes/projects.ts";
import { repositoryRoutes } from "./routes/repositories.ts";
import { syncRoutes } from "./routes/sync.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

export function createApp(deps: ApiDeps, version: VersionInfo) {
  const httpMetrics = createHttpMetrics();
  const started = new WeakMap<Request, number>();

  const api = new Elysia({ prefix: "/api/v1" })
    .use(issueRoutes(deps))
    .use(milestoneRoutes(deps))
    .use(labelRoutes(deps))
    .use(projectRoutes(deps))
    .use(repositoryRoutes(deps))
    .use(actorRoutes(deps))
    .use(conflictRoutes(deps))
    .use(syncRoutes(deps))
    .use(webhookRoutes(deps));

  // authGuard's onRequest runs before routing: a request without a valid token is refused having read nothing.
  return new Elysia()
    .onRequest(({ request }) => {
      started.set(request, performance.now());
    })
    .onError(({ code, error, request, set }) => {
      const response = mapError({ code, error, request }, deps.log);
      set.status = response.status; // so the request metric records the status actually sent
      return response;
    })
    .onAfterResponse(({ request, route, set }) => {
      const t0 = started.get(request);
      if (t0 === undefined) return;
      const status = typeof set.status === "number" ? set.status : 200;
      httpMetrics.record(request.method, route || "unmatched", status, (performance.now() - t0) / 1000);
    })
    .use(authGuard(deps))
    .use(docsRoutes(version))
    .use(healthRoutes(deps, version))
    .use(metricsRoutes(deps))
    .use(inspectRoutes(deps))
    .use(api);
}

export type App = ReturnType<typeof createApp>;
