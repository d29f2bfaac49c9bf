/** A TCP proxy on loopback that a test can cut, to take a service (Redis) away from one process only. */
import type { Socket } from "bun";

export interface TcpProxy {
  port: number;
  /** Close every connection and refuse new ones. */
  cut(): void;
  stop(): void;
}

interface Pair {
  upstream: Socket<undefined> | null;
  /** Bytes the client sent before the upstream connection was open. */
  pending: Uint8Array[];
  client: Socket<Pair>;
}

export function startTcpProxy(target: { host: string; port: number }): TcpProxy {
  const pairs = new Set<Pair>();
  let open = true;
  const listener = Bun.listen<Pair>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(client) {
        if (!open) {
          client.end();
          return;
        }
        const pair: Pair = { upstream: null, pending: [], client };
        client.data = pair;
        pairs.add(pair);
        void Bun.connect<undefined>({
          hostname: target.host,
          port: target.port,
          socket: {
            open(upstream) {
              pair.upstream = upstream;
              for (const chunk of pair.pending) upstream.write(chunk);
              pair.pending = [];
            },
            data(_upstream, data) {
              client.write(data);
            },
            close() {
              client.end();
            },
            error() {
              client.end();
            },
          },
        }).catch(() => client.end());
      },
      data(client, data) {
        const pair = client.data;
        if (pair.upstream) pair.upstream.write(data);
        else pair.pending.push(new Uint8Array(data));
      },
      close(client) {
        client.data?.upstream?.end();
        pairs.delete(client.data);
      },
      error(client) {
        client.data?.upstream?.end();
      },
    },
  });
  return {
    port: listener.port,
    cut() {
      open = false;
      for (const pair of pairs) {
        pair.upstream?.end();
        pair.client.end();
      }
      pairs.clear();
    },
    stop() {
      listener.stop(true);
    },
  };
}
