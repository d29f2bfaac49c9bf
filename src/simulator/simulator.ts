/** createSimulator: wires the store, auth, limits, faults, webhooks, REST, GraphQL and control into one handler. */
import type { AppConfig } from "./app-auth.ts";
import { Auth } from "./auth.ts";
import { type Clock, systemClock } from "./clock.ts";
import type { Ctx } from "./context.ts";
import { type Control, createControl, handleControl } from "./control.ts";
import { emptyCounters, Faults } from "./faults.ts";
import { registerGraphqlRoute } from "./graphql/route.ts";
import { prng } from "./ids.ts";
import {
  defaultRateLimits,
  type PrimaryLimit,
  type RateLimitConfig,
  RateLimiter,
  type Resource,
  type SecondaryConfig,
} from "./rate-limit.ts";
import { registerAppRoutes } from "./rest/apps.ts";
import { addHook, registerHookRoutes } from "./rest/hooks.ts";
import { registerIssueRoutes } from "./rest/issues.ts";
import { registerLabelRoutes } from "./rest/labels.ts";
import { registerMilestoneRoutes } from "./rest/milestones.ts";
import { registerRepoRoutes } from "./rest/repos.ts";
import { type Core, dispatch, Router } from "./router.ts";
import { Store } from "./store.ts";
import { Webhooks } from "./webhooks/deliver.ts";

export interface SimulatorOptions {
  /** Seed for generated data, GUIDs, tokens and fault dice. Default 1. */
  seed?: number;
  /** API base URL used in response URLs and Link headers. startSimulator sets it to the listening address. */
  baseUrl?: string;
  /** Base for html_url fields. Default https://github.com. */
  htmlUrl?: string;
  /** Personal access tokens → user login. Default `{ "sim-token": "octocat" }`. */
  tokens?: Record<string, string>;
  clock?: Clock;
  rateLimits?: {
    primary?: Partial<Record<Resource, PrimaryLimit>>;
    secondary?: Partial<SecondaryConfig>;
    exhaustedStatus?: 403 | 429;
  };
  /** A GitHub App whose JWTs and installation tokens are accepted. */
  app?: AppConfig;
  /** Webhook deliveries not answered within this time fail. Default 10 000 ms, as on GitHub. */
  webhookTimeoutMs?: number;
}

export interface Simulator {
  /** The whole simulated GitHub as a web-standard handler. */
  fetch(req: Request): Promise<Response>;
  control: Control;
  /** Read access to the stored state, for assertions. Mutate through `control`. */
  readonly state: Store;
  /** Resolves when every pending webhook delivery (delayed and held ones included) has finished. */
  flushWebhooks(): Promise<void>;
  readonly baseUrl: string;
  setBaseUrl(url: string): void;
  readonly clock: Clock;
  readonly seed: number;
  /** Route names served (`GET /repos/{owner}/{repo}/issues`, …), for conformance coverage checks. */
  readonly routes: string[];
}

export function createSimulator(opts: SimulatorOptions = {}): Simulator {
  const seed = opts.seed ?? 1;
  const clock = opts.clock ?? systemClock;
  const store = new Store();
  const urls = {
    api: (opts.baseUrl ?? "http://127.0.0.1").replace(/\/+$/, ""),
    html: opts.htmlUrl ?? "https://github.com",
  };
  const ctx: Ctx = { store, clock, urls, rand: prng(seed) };
  const config: RateLimitConfig = structuredClone(defaultRateLimits);
  Object.assign(config.primary, opts.rateLimits?.primary);
  Object.assign(config.secondary, opts.rateLimits?.secondary);
  if (opts.rateLimits?.exhaustedStatus) config.exhaustedStatus = opts.rateLimits.exhaustedStatus;
  const limiter = new RateLimiter(clock, config);
  const app = opts.app ?? null;
  const auth = new Auth(store, clock, app);
  const tokens = opts.tokens ?? { "sim-token": "octocat" };
  const faults = new Faults(prng(seed ^ 0x5eed));
  const counters = emptyCounters();
  const webhooks = new Webhooks(ctx, faults, counters, {
    timeoutMs: opts.webhookTimeoutMs ?? 10_000,
    installationFor: (repoId, ownerId) => {
      for (const inst of store.installations.values()) {
        if (inst.accountId !== ownerId) continue;
        if (repoId === null || inst.repositorySelection === "all" || inst.repositoryIds.includes(repoId))
          return inst.id;
      }
      return null;
    },
  });

  const init = () => {
    for (const [token, login] of Object.entries(tokens)) {
      auth.tokens.set(token, login);
      store.user(login);
    }
    if (app?.webhook) {
      addHook(ctx, {
        repoId: null,
        orgId: null,
        url: app.webhook.url,
        secret: app.webhook.secret,
        events: ["*"],
      });
    }
  };
  init();

  const core: Core = { ctx, auth, limiter, faults, counters, webhooks, app };
  const router = new Router();
  registerRepoRoutes(router);
  registerIssueRoutes(router);
  registerLabelRoutes(router);
  registerMilestoneRoutes(router);
  registerHookRoutes(router);
  registerAppRoutes(router);
  registerGraphqlRoute(router);

  const control = createControl({ ctx, auth, limiter, faults, counters, seed, onReset: init });

  return {
    fetch: (req) => {
      const path = new URL(req.url).pathname;
      if (path.startsWith("/_sim/")) return handleControl(control, req, path.slice("/_sim/".length));
      return dispatch(core, router, req);
    },
    control,
    state: store,
    flushWebhooks: () => webhooks.flush(),
    get baseUrl() {
      return urls.api;
    },
    setBaseUrl: (url) => {
      urls.api = url.replace(/\/+$/, "");
    },
    clock,
    seed,
    routes: [...new Set(router.routes.map((r) => r.name))],
  };
}
