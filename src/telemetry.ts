/**
 * OpenTelemetry: Prometheus metrics served by the app itself at /metrics, traces to OTLP when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set (Grafana Tempo, Jaeger).
 *
 * On Bun the exporter must be passed as `metricReaders: [...]` with `preventServerStart: true`; the singular
 * `metricReader` leaves the reader unbound, and the exporter's own HTTP server is Node-only.
 */
import { metrics, trace } from "@opentelemetry/api";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace";

export interface Telemetry {
  renderMetrics(): Promise<string>;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  serviceName: string;
  serviceVersion: string;
  otlpEndpoint: string | null;
}

let active: Telemetry | null = null;

/** Idempotent: the SDK registers process-wide globals, so a second start (tests) reuses the first. */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (active) return active;
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const serializer = new PrometheusSerializer();
  const spanProcessors = options.otlpEndpoint
    ? [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/+$/, "")}/v1/traces` }),
        }),
      ]
    : [];
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    metricReaders: [exporter],
    // Explicit empty lists: otherwise the SDK reads OTEL_* variables and may start exporters nobody asked for.
    spanProcessors,
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  active = {
    async renderMetrics() {
      const { resourceMetrics } = await exporter.collect();
      return serializer.serialize(resourceMetrics);
    },
    async shutdown() {
      active = null;
      await sdk.shutdown();
    },
  };
  return active;
}

export const meter = () => metrics.getMeter("github-tracker");
export const tracer = () => trace.getTracer("github-tracker");
