/** A local webhook receiver that records every delivery (headers and raw body) for assertions. */

export interface Received {
  headers: Record<string, string>;
  body: string;
}

export interface Listener {
  url: string;
  received: Received[];
  /** Status to answer with; a function may also hang to provoke a timeout. */
  respond: (r: Received) => Promise<number> | number;
  stop(): Promise<void>;
}

export function startListener(): Listener {
  const listener: Listener = {
    url: "",
    received: [],
    respond: () => 202,
    stop: async () => {
      await server.stop(true);
    },
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      const headers: Record<string, string> = {};
      req.headers.forEach((v, k) => {
        headers[k] = v;
      });
      const r = { headers, body: await req.text() };
      listener.received.push(r);
      return new Response(null, { status: await listener.respond(r) });
    },
  });
  listener.url = `http://127.0.0.1:${server.port}/webhooks`;
  return listener;
}
