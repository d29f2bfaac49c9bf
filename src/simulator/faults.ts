/**
 * Injected faults. Route faults match a route name (`GET /repos/{owner}/{repo}/issues`), a path prefix
 * (`/repos/octo-org/sandbox/issues`) or `*`. Dice come from the seeded PRNG so a run is reproducible.
 */

export interface RouteFault {
  /** Route name, path prefix or `*`. */
  route: string;
  /** Added before the handler runs. */
  latencyMs?: number;
  /** Probability (0..1) of answering `errorStatus` instead of running the handler. */
  errorRate?: number;
  errorStatus?: 500 | 502 | 503 | 504;
  /** Probability (0..1) that a request is handled (the write commits) and then the connection is reset. */
  dropResponseRate?: number;
  /** Apply to this many matching requests, then expire. Unlimited when absent. */
  times?: number;
}

export interface WebhookFaults {
  /** Probability (0..1) that a delivery is not sent; it is recorded as failed and can be redelivered. */
  dropRate?: number;
  /** Probability (0..1) that a delivery is sent twice (same GUID, as a redelivery would be). */
  duplicateRate?: number;
  /** Hold deliveries until this many are queued, then send them newest first. 0/absent: in order. */
  reorderWindow?: number;
  /** Delay before each delivery is sent. */
  delayMs?: number;
}

export class Faults {
  routes: RouteFault[] = [];
  webhooks: WebhookFaults = {};

  constructor(private readonly rand: () => number) {}

  inject(f: RouteFault): void {
    this.routes.push({ ...f });
  }

  clear(): void {
    this.routes = [];
    this.webhooks = {};
  }

  /** The faults that apply to this request, consuming one use of each. */
  forRequest(routeName: string, path: string): { latencyMs: number; error: number | null; drop: boolean } {
    let latencyMs = 0;
    let error: number | null = null;
    let drop = false;
    for (const f of this.routes) {
      if (f.route !== "*" && f.route !== routeName && !path.startsWith(f.route)) continue;
      if (f.times !== undefined) {
        if (f.times <= 0) continue;
        f.times--;
      }
      latencyMs += f.latencyMs ?? 0;
      if (f.errorRate && this.rand() < f.errorRate) error = f.errorStatus ?? 502;
      if (f.dropResponseRate && this.rand() < f.dropResponseRate) drop = true;
    }
    this.routes = this.routes.filter((f) => f.times === undefined || f.times > 0);
    return { latencyMs, error, drop };
  }

  roll(p: number | undefined): boolean {
    return !!p && this.rand() < p;
  }
}

/** Figures for benchmarks and assertions. */
export interface Counters {
  requestsByRoute: Record<string, number>;
  ratePointsSpent: number;
  notModified: number;
  webhooksDelivered: number;
  webhooksFailed: number;
}

export function emptyCounters(): Counters {
  return { requestsByRoute: {}, ratePointsSpent: 0, notModified: 0, webhooksDelivered: 0, webhooksFailed: 0 };
}
