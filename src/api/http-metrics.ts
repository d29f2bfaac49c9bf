/** Request count and latency per route template (not per raw path, to keep label cardinality bounded). */
import type { Counter, Histogram } from "@opentelemetry/api";
import { meter } from "../telemetry.ts";

export interface HttpMetrics {
  record(method: string, route: string, status: number, seconds: number): void;
}

export function createHttpMetrics(): HttpMetrics {
  let requests: Counter | null = null;
  let duration: Histogram | null = null;
  return {
    record(method, route, status, seconds) {
      // Created lazily: the meter provider is registered by startTelemetry, which may run after app creation.
      requests ??= meter().createCounter("http_server_requests", { description: "HTTP requests served" });
      duration ??= meter().createHistogram("http_server_request_duration", {
        description: "HTTP request duration",
        unit: "s",
        // Seconds, not the SDK's millisecond-shaped default buckets.
        advice: {
          explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        },
      });
      const attributes = { method, route, status: String(status) };
      requests.add(1, attributes);
      duration.record(seconds, attributes);
    },
  };
}
