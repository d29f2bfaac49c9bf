/**
 * Webhook deliveries: every store change becomes one delivery per matching hook, signed, POSTed with global
 * fetch and GitHub's headers, recorded for the deliveries API. No automatic retry: GitHub does not redeliver
 * failed deliveries by itself (reference §6). A delivery not answered 2xx within 10 s is failed.
 */
import type { Ctx } from "../context.ts";
import type { Counters, Faults } from "../faults.ts";
import { guid } from "../ids.ts";
import type { ChangeEvent } from "../store.ts";
import type { SimDelivery, SimHook } from "../types.ts";
import { signatures } from "./sign.ts";

const PROJECT_EVENTS = new Set(["projects_v2", "projects_v2_item"]);

export interface WebhookOptions {
  timeoutMs: number;
  /** Installation covering this repository (or organization for project events), for app hook deliveries. */
  installationFor: (repoId: number | null, ownerId: number) => number | null;
}

export class Webhooks {
  private pending = new Set<Promise<void>>();
  private held: SimDelivery[] = [];
  private chains = new Map<number, Promise<void>>();

  constructor(
    private readonly ctx: Ctx,
    private readonly faults: Faults,
    private readonly counters: Counters,
    private readonly opts: WebhookOptions,
  ) {
    ctx.store.listeners.push((e) => this.onChange(e));
  }

  hooksFor(e: ChangeEvent): SimHook[] {
    const out: SimHook[] = [];
    const isProject = PROJECT_EVENTS.has(e.event);
    for (const h of this.ctx.store.hooks.values()) {
      if (!h.active || !(h.events.includes("*") || h.events.includes(e.event))) continue;
      if (h.repoId !== null) {
        // Projects v2 events are organization-level: repository hooks never receive them.
        if (!isProject && h.repoId === e.repoId) out.push(h);
      } else if (h.orgId !== null) {
        if (h.orgId === e.ownerId) out.push(h);
      } else if (this.opts.installationFor(e.repoId, e.ownerId) !== null) {
        out.push(h);
      }
    }
    return out;
  }

  private onChange(e: ChangeEvent): void {
    const hooks = this.hooksFor(e);
    if (!hooks.length) return;
    const payload = e.build();
    for (const h of hooks) {
      const installationId =
        h.repoId === null && h.orgId === null ? this.opts.installationFor(e.repoId, e.ownerId) : null;
      const body =
        installationId === null
          ? payload
          : {
              ...payload,
              installation: {
                id: installationId,
                node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${installationId}`,
              },
            };
      this.enqueue(
        h,
        e.event,
        e.action,
        e.repoId,
        installationId,
        JSON.stringify(body),
        guid(this.ctx.rand),
        false,
      );
    }
  }

  private enqueue(
    hook: SimHook,
    event: string,
    action: string | null,
    repositoryId: number | null,
    installationId: number | null,
    body: string,
    deliveryGuid: string,
    redelivery: boolean,
  ): SimDelivery {
    const store = this.ctx.store;
    const d: SimDelivery = {
      id: store.id(),
      guid: deliveryGuid,
      hookId: hook.id,
      event,
      action,
      repositoryId,
      installationId,
      redelivery,
      deliveredAt: this.ctx.clock.now(),
      duration: 0,
      status: "pending",
      statusCode: 0,
      pending: true,
      requestHeaders: {},
      body,
      responseHeaders: {},
      responseBody: null,
    };
    store.deliveries.set(d.id, d);
    store.deliveriesByGuid.set(d.guid, d);
    const f = this.faults.webhooks;
    if (!redelivery && this.faults.roll(f.dropRate)) {
      // Recorded like a delivery GitHub could not make, so the deliveries API can find and redeliver it.
      this.finish(d, 0, "failed to connect to host (simulated drop)", {}, null);
      return d;
    }
    const copies = !redelivery && this.faults.roll(f.duplicateRate) ? 2 : 1;
    if (!redelivery && f.reorderWindow && f.reorderWindow > 1) {
      this.held.push(d);
      if (copies === 2) this.held.push(d);
      if (this.held.length >= f.reorderWindow) this.releaseHeld();
      return d;
    }
    for (let i = 0; i < copies; i++) this.track(() => this.send(d, f.delayMs ?? 0), d.hookId);
    return d;
  }

  /** Sends held deliveries newest first: out-of-order delivery has been observed on GitHub. */
  private releaseHeld(): void {
    const batch = this.held.reverse();
    this.held = [];
    for (const d of batch) this.track(() => this.send(d, this.faults.webhooks.delayMs ?? 0), d.hookId);
  }

  /**
   * Deliveries to one hook go out one after another, in change order, so tests are deterministic; disorder
   * is an explicit fault (reorderWindow). A slow receiver therefore delays later deliveries to the same hook.
   */
  private track(p: () => Promise<void>, hookId: number): void {
    const prev = this.chains.get(hookId) ?? Promise.resolve();
    const next = prev.then(p, p);
    this.chains.set(hookId, next);
    this.pending.add(next);
    void next.finally(() => {
      this.pending.delete(next);
      if (this.chains.get(hookId) === next) this.chains.delete(hookId);
    });
  }

  private async send(d: SimDelivery, delayMs: number): Promise<void> {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    const hook = this.ctx.store.hooks.get(d.hookId);
    if (!hook) return this.finish(d, 0, "hook deleted", {}, null);
    const repo = d.repositoryId === null ? null : this.ctx.store.repos.get(d.repositoryId);
    const headers: Record<string, string> = {
      accept: "*/*",
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/sim",
      "x-github-delivery": d.guid,
      "x-github-event": d.event,
      "x-github-hook-id": String(hook.id),
      "x-github-hook-installation-target-type":
        hook.repoId !== null ? "repository" : hook.orgId !== null ? "organization" : "integration",
      "x-github-hook-installation-target-id": String(
        hook.repoId ?? hook.orgId ?? d.installationId ?? repo?.id ?? 0,
      ),
    };
    if (hook.secret) {
      const sig = await signatures(hook.secret, d.body);
      headers["x-hub-signature-256"] = sig.sha256;
      headers["x-hub-signature"] = sig.sha1;
    }
    d.requestHeaders = headers;
    const started = performance.now();
    try {
      const res = await fetch(hook.url, {
        method: "POST",
        headers,
        body: d.body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      const text = await res.text();
      const resHeaders: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        resHeaders[k] = v;
      });
      d.duration = (performance.now() - started) / 1000;
      const ok = res.status >= 200 && res.status < 300;
      this.finish(d, res.status, ok ? "OK" : `Invalid HTTP Response: ${res.status}`, resHeaders, text);
    } catch (err) {
      d.duration = (performance.now() - started) / 1000;
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      this.finish(d, 0, timedOut ? "timed out" : "failed to connect to host", {}, null);
    }
  }

  private finish(
    d: SimDelivery,
    statusCode: number,
    status: string,
    headers: Record<string, string>,
    body: string | null,
  ): void {
    d.pending = false;
    d.statusCode = statusCode;
    d.status = status;
    d.responseHeaders = headers;
    d.responseBody = body;
    if (status === "OK") this.counters.webhooksDelivered++;
    else this.counters.webhooksFailed++;
  }

  /** POST …/deliveries/{id}/attempts: a new delivery record, same GUID, `redelivery: true`. */
  redeliver(d: SimDelivery): SimDelivery | null {
    const hook = this.ctx.store.hooks.get(d.hookId);
    if (!hook) return null;
    return this.enqueue(hook, d.event, d.action, d.repositoryId, d.installationId, d.body, d.guid, true);
  }

  /** Resolves once every queued, delayed and in-flight delivery has finished (held reorder batches included). */
  async flush(): Promise<void> {
    while (this.pending.size || this.held.length) {
      if (this.held.length) this.releaseHeld();
      await Promise.allSettled([...this.pending]);
    }
  }
}
