/** A TCP proxy on loopback that a test can cut, to take a service (Redis) away from one process only. */
import type { Socket, TCPSocketListener } from "bun";

export interface TcpProxy {
  port: number;
  /** Close every connection and refuse new ones. */
  cut(): void;
  stop(): void;
}

export function startTcpProxy(target: { host: string; port: number }): TcpProxy {
  const pairs = new Set<{ client: Socket<{ peer?: Socket<unknown> }>; upstream?: Socket<unknown> }>();
  let open = true;
  const listener: TCPSocketListener<{ peer?: Socket<unknown> }> = Bun.listen<{ peer?: Socket<unknown> }>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      async open(client) {
        if (!open) {
          client.end();
          return;
        }
        const pair: { client: Socket<{ peer?: Socket<unknown> }>; upstream?: Socket<unknown> } = { client };
        pairs.add(pair);
        pair.upstream = await Bun.connect({
          hostname: target.host,
          port: target.port,
          socket: {
            data: (_s, data) => {
              client.write(data);
            },
            close: () => {
              client.end();
            },
            error: () => {
              client.end();
            },
          },
        });
        client.data = { peer: pair.upstream };
      },
      data(client, data) {
        client.data?.peer?.write(data);
      },
      close(client) {
        client.data?.peer?.end();
      },
      error(client) {
        client.data?.peer?.end();
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
