/** The HTTP edge: Bun.serve around the web-standard handler. */
import { createSimulator, type Simulator, type SimulatorOptions } from "./simulator.ts";

export interface StartOptions extends SimulatorOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  hostname?: string;
}

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:4010 (no trailing slash). Point Octokit's baseUrl here. */
  url: string;
  sim: Simulator;
  stop(): Promise<void>;
}

export async function startSimulator(opts: StartOptions = {}): Promise<RunningSimulator> {
  const sim = createSimulator(opts);
  const hostname = opts.hostname ?? "127.0.0.1";
  const server = Bun.serve({
    port: opts.port ?? 0,
    hostname,
    // Large pages and slow injected latency must not hit Bun's default 10 s idle timeout.
    idleTimeout: 60,
    fetch: (req) => sim.fetch(req),
    error: () => new Response(JSON.stringify({ message: "Server Error" }), { status: 500 }),
  });
  const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${server.port}`;
  sim.setBaseUrl(url);
  return {
    url,
    sim,
    stop: async () => {
      await sim.flushWebhooks();
      await server.stop(true);
    },
  };
}
