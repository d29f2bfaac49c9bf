/**
 * Wake-ups and operator events reach the replica that drives a repository within milliseconds: Redis pub/sub
 * across replicas, a direct call in embedded mode. The periodic poll stays the fallback if a message is lost.
 */
import type Redis from "ioredis";

export type BusMessage =
  | { kind: "wake"; repositoryId: string; reason: "webhook" | "local_write" | "manual" }
  | {
      kind: "actor_event";
      repositoryId: string;
      actorId: string;
      event: { type: string } & Record<string, unknown>;
    }
  | { kind: "released"; repositoryId: string }
  | { kind: "tracked"; repositoryId: string };

export interface WakeBus {
  publish(message: BusMessage): Promise<void>;
  subscribe(handler: (message: BusMessage) => void): void;
  close(): Promise<void>;
}

const CHANNEL = "gt:bus";

export async function createRedisBus(publisher: Redis, subscriber: Redis): Promise<WakeBus> {
  const handlers: ((message: BusMessage) => void)[] = [];
  await subscriber.subscribe(CHANNEL);
  subscriber.on("message", (_channel: string, raw: string) => {
    let message: BusMessage;
    try {
      message = JSON.parse(raw) as BusMessage;
    } catch {
      return;
    }
    for (const handler of handlers) handler(message);
  });
  return {
    async publish(message) {
      await publisher.publish(CHANNEL, JSON.stringify(message));
    },
    subscribe(handler) {
      handlers.push(handler);
    },
    async close() {
      await subscriber.unsubscribe(CHANNEL).catch(() => undefined);
    },
  };
}

export function createLocalBus(): WakeBus {
  const handlers: ((message: BusMessage) => void)[] = [];
  return {
    async publish(message) {
      // Asynchronous like Redis, so callers never re-enter a handler synchronously.
      queueMicrotask(() => {
        for (const handler of handlers) handler(message);
      });
    },
    subscribe(handler) {
      handlers.push(handler);
    },
    async close() {},
  };
}
