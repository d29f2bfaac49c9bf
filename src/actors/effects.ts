/**
 * What the runtime plugs into the machines' named effects, and how failures become EffectErrors.
 */
import type { EffectError } from "../machines/effect-error.ts";
import type { OperationRef, PushInput } from "../machines/repository.machine.ts";
import type { StepInput, StepOutput, SyncStep } from "../machines/sync-operation.machine.ts";
import type { Fence } from "./fence.ts";

export interface EffectContext {
  fence: Fence;
  signal: AbortSignal;
}

/**
 * The sync work itself (GitHub → mirror, outbox → GitHub). The runtime owns ordering, persistence and retries;
 * the engine owns what one step does. Every step must be idempotent: a restore runs it again.
 */
export interface SyncEngine {
  firstStep(operation: OperationRef): SyncStep;
  runStep(input: StepInput, ctx: EffectContext): Promise<Omit<StepOutput, "now">>;
  push(input: PushInput, ctx: EffectContext): Promise<{ openConflicts: number }>;
  /** Apply stored webhook events; returns when failed ones are due again (epoch ms) or null. */
  applyEvents(repositoryId: string, ctx: EffectContext): Promise<{ nextRetryAt: number | null }>;
}

/** A failure that says when to come back (GitHub rate limits). */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly retryAt: number,
    readonly kind: "rate_limited" | "transient" = "rate_limited",
  ) {
    super(message);
    this.name = "RetryLaterError";
  }
}

/** Sort a thrown value into rate-limited, transient or fatal, stamped with the time and a jitter draw. */
export function toEffectError(error: unknown, now: number, random: () => number = Math.random): EffectError {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? error.stack : undefined;
  const base = { message, at: now, jitter: random(), ...(stack ? { stack } : {}) };
  if (error instanceof RetryLaterError) return { ...base, kind: error.kind, retryAt: error.retryAt };
  const status = (error as { status?: unknown })?.status;
  if (typeof status === "number" && status >= 400 && status < 500 && status !== 408 && status !== 429) {
    return { ...base, kind: "fatal" };
  }
  return { ...base, kind: "transient" };
}
