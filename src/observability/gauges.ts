/**
 * Gauges read from Postgres at scrape time, for dashboards and alerts on stuck syncs: actors per kind and
 * state, actors stuck (deadline overdue by 10 minutes, or busy in one state that long), local edits waiting for
 * GitHub, open conflicts, and webhook events not yet applied. Shared across replicas: every replica reports the
 * same figures (they come from the database), so dashboards should take the max, not the sum.
 */
import type { BatchObservableCallback } from "@opentelemetry/api";
import { sql } from "drizzle-orm";
import { type Database, rowsOf } from "../db/client.ts";
import { meter } from "../telemetry.ts";

const STUCK_AFTER_SECONDS = 600;

/** Registers the gauges; the returned function removes them (a stopped service must not be scraped). */
export function registerDatabaseGauges(db: Database): () => void {
  const m = meter();
  const actors = m.createObservableGauge("actors", { description: "Actors by kind and state" });
  const stuck = m.createObservableGauge("actors_stuck", {
    description: `Active actors whose deadline is overdue, or busy in one state, for more than ${STUCK_AFTER_SECONDS} s`,
  });
  const backlog = m.createObservableGauge("sync_backlog", {
    description:
      "Work waiting: outbox entries not yet on GitHub, open conflicts, webhook events not yet applied",
  });
  const observe: BatchObservableCallback = async (result) => {
    const byState = rowsOf<{ kind: string; state: string; n: number }>(
      await db.execute(
        sql`select kind, state_value as state, count(*)::int as n from actor_snapshots where status = 'active' group by 1, 2`,
      ),
    );
    for (const row of byState) result.observe(actors, row.n, { kind: row.kind, state: row.state });
    const [counts] = rowsOf<{ stuck: number; outbox: number; conflicts: number; events: number }>(
      await db.execute(sql`select
          (select count(*)::int from actor_snapshots where status = 'active' and (
            (next_deadline is not null and next_deadline < now() - make_interval(secs => ${STUCK_AFTER_SECONDS}))
            or (state_value not in ('idle', 'conflicted', 'paused') and state_since < now() - make_interval(secs => ${STUCK_AFTER_SECONDS}))
          )) as stuck,
          (select count(*)::int from outbox where status in ('pending', 'in_flight')) as outbox,
          (select count(*)::int from sync_conflicts where resolved_at is null) as conflicts,
          (select count(*)::int from webhook_events
            where processing_status = 'pending' or (processing_status = 'failed' and next_retry_at is not null)) as events`),
    );
    result.observe(stuck, counts?.stuck ?? 0);
    result.observe(backlog, counts?.outbox ?? 0, { kind: "outbox" });
    result.observe(backlog, counts?.conflicts ?? 0, { kind: "conflicts" });
    result.observe(backlog, counts?.events ?? 0, { kind: "webhook_events" });
  };
  m.addBatchObservableCallback(observe, [actors, stuck, backlog]);
  return () => m.removeBatchObservableCallback(observe, [actors, stuck, backlog]);
}
