/**
 * /inspect: a visual state-machine inspector for people, server-rendered HTML with no script and no outside
 * resource. The list shows every actor with its state and whether it is stuck; an actor's page draws its
 * machine (every state, the current one lit, the transitions it took), its context, last error and the
 * transition log with the replica and lease epoch of each step. Same data as /api/v1/actors, for eyes.
 */
import { eq, inArray } from "drizzle-orm";
import { Elysia, t } from "elysia";
import type { AnyStateMachine } from "xstate";
import { listActors, listTransitions, loadActor } from "../../actors/snapshot-store.ts";
import { repositories } from "../../db/schema.ts";
import { repositoryMachine } from "../../machines/repository.machine.ts";
import { syncOperationMachine } from "../../machines/sync-operation.machine.ts";
import type { ApiDeps } from "../deps.ts";
import { toActorDto } from "../models/actor.ts";

const STUCK_AFTER_MS = 600_000;
const MACHINES: Record<string, AnyStateMachine> = {
  repository: repositoryMachine,
  sync_operation: syncOperationMachine,
};

function html(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1f2328;background:#fff}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #d0d7de;vertical-align:top}
th{background:#f6f8fa} a{color:#0969da;text-decoration:none} code,pre{font:12px ui-monospace,monospace}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:320px}
.stuck{color:#cf222e;font-weight:600} .ok{color:#1a7f37}
.states{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.state{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;background:#f6f8fa}
.state.current{background:#0969da;color:#fff;border-color:#0969da;font-weight:600}
.state.final{border-style:double;border-width:3px}
.state small{display:block;font-size:11px;opacity:.8}
.muted{color:#656d76}`;

function page(title: string, body: string): Response {
  const document = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${html(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
  return new Response(document, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      // No script runs here, and nothing is fetched from elsewhere.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    },
  });
}

/** The machine's states with the events that leave each, the current one marked. */
function diagram(machineId: string, current: string, visited: Set<string>): string {
  const machine = MACHINES[machineId];
  if (!machine) return `<p class="muted">unknown machine ${html(machineId)}</p>`;
  const states = Object.values(machine.root.states);
  return `<div class="states">${states
    .map((node) => {
      const key = node.key;
      const events = Object.keys(node.on ?? {}).filter((e) => !e.startsWith("xstate."));
      const invoke = node.invoke.map((i) => (typeof i.src === "string" ? i.src : "")).filter(Boolean);
      const classes = ["state", key === current ? "current" : "", node.type === "final" ? "final" : ""]
        .filter(Boolean)
        .join(" ");
      const note = [
        invoke.length ? `runs ${invoke.join(", ")}` : "",
        events.length ? `on ${events.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join(" · ");
      return `<div class="${classes}" title="${visited.has(key) ? "visited" : "not visited"}">${html(key)}<small>${html(note)}</small></div>`;
    })
    .join("")}</div>`;
}

export function inspectRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/inspect" })
    .get(
      "",
      async () => {
        const { rows } = await listActors(deps.db, {}, { page: 1, perPage: 200 });
        const ids = [...new Set(rows.map((r) => r.repositoryId).filter((id): id is string => id !== null))];
        const names = new Map(
          ids.length
            ? (
                await deps.db
                  .select({ id: repositories.id, fullName: repositories.fullName })
                  .from(repositories)
                  .where(inArray(repositories.id, ids))
              ).map((r) => [r.id, r.fullName])
            : [],
        );
        const now = Date.now();
        const list = rows
          .map((row) => toActorDto(row, names.get(row.repositoryId ?? "") ?? null, STUCK_AFTER_MS, now))
          .sort((a, b) => Number(b.stuck) - Number(a.stuck) || a.kind.localeCompare(b.kind));
        const body = `<h1>Actors</h1><p class="muted">${list.length} actors · stuck = deadline overdue or busy in one state for more than 10 minutes · <a href="/api/v1/actors">JSON</a></p>
<table><tr><th>actor</th><th>repository</th><th>state</th><th>since</th><th>next deadline</th><th>retries</th><th>last error</th><th>replica · epoch</th></tr>
${list
  .map(
    (
      a,
    ) => `<tr><td><a href="/inspect/${encodeURIComponent(a.id)}">${html(a.kind)}</a></td><td>${html(a.repository.full_name)}</td>
<td class="${a.stuck ? "stuck" : "ok"}">${html(a.state)}${a.stuck ? " (stuck)" : ""}</td><td>${html(a.since)}</td><td>${html(a.next_deadline ?? "—")}</td>
<td>${a.retry_count}</td><td>${html(a.last_error?.message ?? "")}</td><td>${html(a.holder)} · ${a.epoch}</td></tr>`,
  )
  .join("")}</table>`;
        return page("Actors · github-tracker", body);
      },
      { detail: { hide: true } },
    )
    .get(
      "/:id",
      async ({ params }) => {
        const row = await loadActor(deps.db, params.id);
        if (!row)
          return page(
            "Not found",
            `<h1>No actor ${html(params.id)}</h1><p><a href="/inspect">All actors</a></p>`,
          );
        const [repo] = row.repositoryId
          ? await deps.db.select().from(repositories).where(eq(repositories.id, row.repositoryId))
          : [];
        const actor = toActorDto(row, repo?.fullName ?? null, STUCK_AFTER_MS, Date.now());
        const { rows: log } = await listTransitions(deps.db, params.id, { page: 1, perPage: 100 });
        const visited = new Set(log.flatMap((t) => [t.fromState ?? "", t.toState]));
        const body = `<p><a href="/inspect">← all actors</a></p>
<h1>${html(actor.kind)} · ${html(actor.repository.full_name ?? "")}</h1>
<p class="muted"><code>${html(actor.id)}</code> · machine ${html(actor.machine.id)} v${actor.machine.version}</p>
<p>State <b class="${actor.stuck ? "stuck" : "ok"}">${html(actor.state)}</b> since ${html(actor.since)}${actor.stuck ? ' <span class="stuck">stuck</span>' : ""} ·
next deadline ${html(actor.next_deadline ?? "none")} · retries ${actor.retry_count} · driven by ${html(actor.holder)} at epoch ${actor.epoch}</p>
<h2>Machine</h2>${diagram(row.machineId, row.stateValue, visited)}
${actor.last_error ? `<h2>Last error</h2><pre>${html(actor.last_error.message)}\n\n${html(actor.last_error.stack ?? "")}</pre>` : ""}
<h2>Context</h2><pre>${html(JSON.stringify(actor.context, null, 2))}</pre>
<h2>Transitions (newest first)</h2>
<table><tr><th>#</th><th>time</th><th>event</th><th>from → to</th><th>replica · epoch</th><th>details</th></tr>
${log
  .map(
    (
      t,
    ) => `<tr><td>${t.seq}</td><td>${html(t.at.toISOString())}</td><td><code>${html(t.eventType)}</code></td>
<td>${html(t.fromState ?? "∅")} → <b>${html(t.toState)}</b></td><td>${html(t.holder)} · ${t.epoch}</td>
<td><code>${html(JSON.stringify(t.eventSummary ?? {}))}</code></td></tr>`,
  )
  .join("")}</table>`;
        return page(`${actor.state} · ${actor.repository.full_name ?? actor.id}`, body);
      },
      { params: t.Object({ id: t.String({ maxLength: 100 }) }), detail: { hide: true } },
    );
}
