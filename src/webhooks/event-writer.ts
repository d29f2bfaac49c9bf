/**
 * Group commit for webhook_events. Every request awaits the commit of its own event before GitHub hears 2xx
 * (durability per event), but events that arrive while a commit is in flight share the next one: a single
 * multi-row INSERT … ON CONFLICT DO NOTHING. One commit per batch instead of one per request is what lets a
 * durable receiver outrun a receiver that stores nothing.
 *
 * The repository lookup happens inside the same statement (a lateral join on `repositories`), so a request
 * costs no extra round trip, and a repository tracked a moment ago is seen by the next delivery.
 */
import { type SQL, sql } from "drizzle-orm";
import { type Executor, rowsOf } from "../db/client.ts";
import type { DeliveryEnvelope } from "./envelope.ts";

export interface IncomingEvent extends DeliveryEnvelope {
  /** The payload as received (already checked to be JSON). */
  payloadText: string;
  /** When the request arrived, with microseconds: the order events are applied in. */
  receivedAt: string;
}

export interface StoredEvent {
  /** False when the delivery id was already stored: GitHub redelivers with the same X-GitHub-Delivery. */
  inserted: boolean;
  id: string | null;
  repositoryId: string | null;
  status: "pending" | "ignored" | null;
}

export interface EventWriterOptions {
  /** Commits allowed in flight at once; more than one keeps a pool busy while the next batch forms. */
  maxConcurrentCommits?: number;
  maxBatchEvents?: number;
  /** Payloads are up to 25 MB each; keep a batch's statement a sane size. */
  maxBatchBytes?: number;
}

export interface EventWriter {
  write(event: IncomingEvent): Promise<StoredEvent>;
}

interface Waiting {
  event: IncomingEvent;
  resolve: (stored: StoredEvent) => void;
  reject: (error: unknown) => void;
}

export function createEventWriter(db: Executor, options: EventWriterOptions = {}): EventWriter {
  const maxInFlight = options.maxConcurrentCommits ?? 4;
  const maxEvents = options.maxBatchEvents ?? 500;
  const maxBytes = options.maxBatchBytes ?? 16 * 1024 * 1024;
  const queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  const takeBatch = (): Waiting[] => {
    const batch: Waiting[] = [];
    let bytes = 0;
    while (queue.length > 0 && batch.length < maxEvents) {
      const next = queue[0]!;
      if (batch.length > 0 && bytes + next.event.payloadText.length > maxBytes) break;
      bytes += next.event.payloadText.length;
      batch.push(queue.shift()!);
    }
    return batch;
  };

  const commit = async (batch: Waiting[]): Promise<void> => {
    try {
      const stored = await insertBatch(
        db,
        batch.map((w) => w.event),
      );
      batch.forEach((w, i) => {
        w.resolve(stored[i]!);
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One bad row must not fail its neighbours: commit them one by one.
      await Promise.all(batch.map((w) => commit([w])));
    }
  };

  const pump = (): void => {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      const batch = takeBatch();
      inFlight++;
      void commit(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  };

  return {
    write(event) {
      return new Promise<StoredEvent>((resolve, reject) => {
        queue.push({ event, resolve, reject });
        // Let requests that arrive in the same tick join this batch.
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true;
          queueMicrotask(pump);
        }
      });
    },
  };
}

interface InsertedRow {
  github_delivery_id: string;
  id: string;
  repository_id: string | null;
  processing_status: "pending" | "ignored";
}

export async function insertBatch(db: Executor, events: IncomingEvent[]): Promise<StoredEvent[]> {
  // The same delivery twice in one batch (a duplicate sent concurrently): only the first is inserted.
  const firstIndex = new Map<string, number>();
  events.forEach((e, i) => {
    if (!firstIndex.has(e.deliveryId)) firstIndex.set(e.deliveryId, i);
  });
  const unique = events.filter((e, i) => firstIndex.get(e.deliveryId) === i);
  const values: SQL[] = unique.map(
    (e) =>
      sql`(${e.deliveryId}::text, ${e.hookId}::bigint, ${e.eventType}::text, ${e.action}::text, ${e.repositoryFullName}::text, ${e.repositoryGithubId}::bigint, ${e.installationId}::bigint, ${e.payloadText}::jsonb, ${e.scope}::text, ${e.reason}::text, ${e.receivedAt}::timestamptz)`,
  );
  const result = await db.execute(sql`
    insert into webhook_events (github_delivery_id, hook_id, event_type, action, repository_full_name,
      repository_id, installation_id, payload, processing_status, error_message, received_at)
    select v.delivery_id, v.hook_id, v.event_type, v.action, v.full_name, r.id, v.installation_id, v.payload,
      case when v.scope = 'ignored' or (v.scope = 'repository' and r.id is null) then 'ignored' else 'pending' end,
      case when v.scope = 'repository' and r.id is null then 'repository is not tracked' else v.reason end,
      v.received_at
    from (values ${sql.join(values, sql`, `)})
      as v(delivery_id, hook_id, event_type, action, full_name, repo_github_id, installation_id, payload, scope,
        reason, received_at)
    left join lateral (
      select repositories.id from repositories
      where v.scope = 'repository' and repositories.enabled
        and (repositories.full_name = v.full_name or repositories.github_id = v.repo_github_id)
      -- a renamed repository is found by its GitHub id before anything by name
      order by (repositories.github_id = v.repo_github_id) desc nulls last
      limit 1
    ) r on true
    on conflict (github_delivery_id) do nothing
    returning github_delivery_id, id, repository_id, processing_status`);
  const inserted = new Map(rowsOf<InsertedRow>(result).map((row) => [row.github_delivery_id, row]));
  return events.map((e, i) => {
    const row = firstIndex.get(e.deliveryId) === i ? inserted.get(e.deliveryId) : undefined;
    return row
      ? { inserted: true, id: row.id, repositoryId: row.repository_id, status: row.processing_status }
      : { inserted: false, id: null, repositoryId: null, status: null };
  });
}
