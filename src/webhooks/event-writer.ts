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

/** The parameters of one event, in the order of the VALUES row in insertStatement. */
const COLUMNS = 11;

/**
 * The statement for up to `rows` events. Batches are padded with null rows to a power of two, so a connection
 * prepares at most ~10 statement shapes and then only binds: a new shape per batch size would cost a Parse +
 * Describe round trip (and a server-side plan) on most batches. Every payload goes over as one plain text
 * parameter: no jsonb parse, no array-literal escaping.
 */
const statements = new Map<number, string>();
function insertStatement(rows: number): string {
  let text = statements.get(rows);
  if (text) return text;
  const values: string[] = [];
  for (let r = 0; r < rows; r++) {
    const p = (c: number) => `$${r * COLUMNS + c}`;
    values.push(
      `(${p(1)}::text, ${p(2)}::bigint, ${p(3)}::text, ${p(4)}::text, ${p(5)}::text, ${p(6)}::bigint, ` +
        `${p(7)}::bigint, ${p(8)}::text, ${p(9)}::text, ${p(10)}::text, ${p(11)}::timestamptz)`,
    );
  }
  text = `insert into webhook_events (github_delivery_id, hook_id, event_type, action, repository_full_name,
      repository_id, installation_id, payload, processing_status, error_message, received_at)
    select v.delivery_id, v.hook_id, v.event_type, v.action, v.full_name, r.id, v.installation_id, v.payload,
      case when v.scope = 'ignored' or (v.scope = 'repository' and r.id is null) then 'ignored' else 'pending' end,
      case when v.scope = 'repository' and r.id is null then 'repository is not tracked' else v.reason end,
      v.received_at
    from (values ${values.join(", ")})
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
    where v.delivery_id is not null
    on conflict (github_delivery_id) do nothing
    returning github_delivery_id, id, repository_id, processing_status`;
  statements.set(rows, text);
  return text;
}

type RawQuery = (text: string, params: unknown[]) => Promise<InsertedRow[]>;

/**
 * The driver under Drizzle, called directly: building ~11 Drizzle SQL fragments per event cost more CPU than
 * the rest of the request path. Drizzle's own `execute` when the executor exposes no known client.
 */
function rawQuery(db: Executor): RawQuery {
  const client = (db as { $client?: unknown }).$client as
    | { unsafe?: (text: string, params: unknown[], options: { prepare: boolean }) => Promise<unknown> }
    | { query?: (text: string, params: unknown[]) => Promise<unknown> }
    | undefined;
  if (client && "unsafe" in client && typeof client.unsafe === "function") {
    const unsafe = client.unsafe.bind(client);
    return async (text, params) => rowsOf<InsertedRow>(await unsafe(text, params, { prepare: true }));
  }
  if (client && "query" in client && typeof client.query === "function") {
    const query = client.query.bind(client);
    return async (text, params) => rowsOf<InsertedRow>(await query(text, params));
  }
  return async (text, params) => {
    // $1, $2, … become Drizzle parameters in the same order.
    const parts = text.split(/\$\d+/);
    const chunks: SQL[] = [sql.raw(parts[0] ?? "")];
    params.forEach((param, i) => {
      chunks.push(sql`${param}`, sql.raw(parts[i + 1] ?? ""));
    });
    return rowsOf<InsertedRow>(await db.execute(sql.join(chunks)));
  };
}

const queries = new WeakMap<Executor, RawQuery>();

export async function insertBatch(db: Executor, events: IncomingEvent[]): Promise<StoredEvent[]> {
  // The same delivery twice in one batch (a duplicate sent concurrently): only the first is inserted.
  const firstIndex = new Map<string, number>();
  events.forEach((e, i) => {
    if (!firstIndex.has(e.deliveryId)) firstIndex.set(e.deliveryId, i);
  });
  const unique = events.filter((e, i) => firstIndex.get(e.deliveryId) === i);
  let rows = 1;
  while (rows < unique.length) rows *= 2;
  const params: unknown[] = new Array(rows * COLUMNS).fill(null);
  unique.forEach((e, r) => {
    const o = r * COLUMNS;
    params[o] = e.deliveryId;
    params[o + 1] = e.hookId;
    params[o + 2] = e.eventType;
    params[o + 3] = e.action;
    params[o + 4] = e.repositoryFullName;
    params[o + 5] = e.repositoryGithubId;
    params[o + 6] = e.installationId;
    params[o + 7] = e.payloadText;
    params[o + 8] = e.scope;
    params[o + 9] = e.reason;
    params[o + 10] = e.receivedAt;
  });
  let query = queries.get(db);
  if (!query) {
    query = rawQuery(db);
    queries.set(db, query);
  }
  const result = await query(insertStatement(rows), params);
  const inserted = new Map(result.map((row) => [row.github_delivery_id, row]));
  return events.map((e, i) => {
    const row = firstIndex.get(e.deliveryId) === i ? inserted.get(e.deliveryId) : undefined;
    return row
      ? { inserted: true, id: row.id, repositoryId: row.repository_id, status: row.processing_status }
      : { inserted: false, id: null, repositoryId: null, status: null };
  });
}
