/**
 * What every local write shares: the request body read under a size cap and checked for unknown fields,
 * If-Match against the row's version, the outbox row, and the wake-up of the repository actor after commit.
 */

import type { TObject } from "@sinclair/typebox";
import { and, eq } from "drizzle-orm";
import type { Executor } from "../../db/client.ts";
import { type EntityType, outbox, type Repository, repositories } from "../../db/schema.ts";
import { callerOf } from "../auth.ts";
import type { ApiDeps } from "../deps.ts";
import { invalidField, ProblemError } from "../problem.ts";

/** Writes carry a few fields; a megabyte is far beyond any legitimate body and bounds what one request costs. */
export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = () =>
  new ProblemError(413, `The request body is larger than ${MAX_BODY_BYTES} bytes`, {
    extensions: { limit: MAX_BODY_BYTES },
  });

/** The body as text, refused as soon as it passes the cap: Content-Length when sent, else counted as it streams. */
async function readCapped(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * A route `parse` hook for JSON bodies. Elysia's own parser would silently drop unknown fields (and coerce a
 * bare string into an object); a misspelt field (`stateReason`) must be a 422 naming it instead, not a no-op.
 * An empty body is `undefined`, so the schema decides whether a body is required.
 */
export function jsonBody(schema: TObject) {
  const known = new Set(Object.keys(schema.properties));
  return async ({ request }: { request: Request }): Promise<Record<string, unknown> | undefined> => {
    const text = await readCapped(request);
    if (text.trim() === "") return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ProblemError(400, `The request body is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw invalidField("body", "expected a JSON object");
    }
    const unknown = Object.keys(value).filter((key) => !known.has(key));
    if (unknown.length > 0) {
      const allowed = [...known].join(", ");
      throw new ProblemError(422, `Unknown body field ${unknown.join(", ")}; allowed: ${allowed}`, {
        errors: unknown.map((field) => ({ field, message: `unknown field; allowed: ${allowed}` })),
      });
    }
    return value as Record<string, unknown>;
  };
}

/** Weak ETag of a row version: the version counts changes, it is not a hash of the representation. */
export const etag = (version: number) => `W/"${version}"`;

/**
 * If-Match, compared weakly (the ETags are weak): any listed tag equal to the current version, or `*`, passes.
 * Absent means the client does not ask for optimistic concurrency.
 */
export function checkIfMatch(ifMatch: string | null, version: number): void {
  if (ifMatch === null) return;
  const tags = ifMatch
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0);
  const current = String(version);
  const matches = tags.some(
    (tag) => tag === "*" || tag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1") === current,
  );
  if (!matches) {
    throw new ProblemError(412, `If-Match ${ifMatch} does not match the current version ${etag(version)}`, {
      extensions: { current_etag: etag(version) },
    });
  }
}

/** A tombstoned row cannot be edited: GitHub no longer has it. */
export function refuseDeleted(what: string, row: { deletedAt: Date | null; transferredTo?: string | null }) {
  if (row.deletedAt === null) return;
  const where = row.transferredTo ? ` (transferred to ${row.transferredTo})` : "";
  throw new ProblemError(409, `${what} was deleted on GitHub${where}; it can no longer be edited`);
}

/** The tracked, enabled repository named in a body, or a 422 naming the field. */
export async function trackedRepository(db: Executor, fullName: string, field = "repository") {
  const [row] = await db
    .select()
    .from(repositories)
    .where(eq(repositories.fullName, fullName.toLowerCase()))
    .limit(1);
  if (!row) throw invalidField(field, `${fullName} is not a tracked repository`);
  if (!row.enabled) throw invalidField(field, `${row.fullName} is not tracked (disabled)`);
  return row;
}

/** The enabled repository of an existing row (its outbox entry is pushed by that repository's actor). */
export async function enabledRepositoryById(db: Executor, id: string): Promise<Repository> {
  const [row] = await db
    .select()
    .from(repositories)
    .where(and(eq(repositories.id, id), eq(repositories.enabled, true)))
    .limit(1);
  if (!row) throw invalidField("repository", "the repository of this row is not tracked (disabled)");
  return row;
}

export interface WriteContext {
  /** The If-Match header, or null. */
  ifMatch: string | null;
  /** The token label (outbox.created_by). */
  createdBy: string;
}

export interface OutboxInput {
  repositoryId: string;
  entityType: EntityType;
  entityId: string;
  operation: "create" | "update" | "delete";
  patch: Record<string, unknown>;
  base: Record<string, unknown> | null;
  createdBy: string;
}

export async function enqueue(db: Executor, entry: OutboxInput): Promise<void> {
  await db.insert(outbox).values({ ...entry, status: "pending" });
}

/** After commit, fire and forget: the answer does not wait for the actor, and the poll is the backstop. */
export function wake(deps: Pick<ApiDeps, "runtime" | "log">, repositoryId: string): void {
  deps.runtime?.wake(repositoryId, "local_write").catch((error: unknown) => {
    deps.log.warn("local write wake failed", { repositoryId, error });
  });
}

/** Copies only the keys present in `input` (a patch names exactly what the client changed). */
export function pick<T extends object, K extends keyof T>(input: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (input[key] !== undefined) out[key] = input[key];
  return out;
}

export function requireSome(input: object, keys: readonly string[]): void {
  if (!keys.some((key) => (input as Record<string, unknown>)[key] !== undefined)) {
    throw invalidField("body", `at least one of ${keys.join(", ")} is required`);
  }
}

/** Sorted and without duplicates: labels and assignees are sets, stored and compared sorted. */
export const sortedSet = (values: readonly string[]) => [...new Set(values)].sort();

/** If-Match and the caller, as the write functions need them. */
export function writeContext(request: Request): WriteContext {
  return { ifMatch: request.headers.get("if-match"), createdBy: callerOf(request) };
}

/** A write's answer: 202 (GitHub has not seen it yet) with the row's new ETag; the actor is woken. */
export function accepted(
  deps: Pick<ApiDeps, "runtime" | "log">,
  set: { status?: number | string; headers: Record<string, string | number> },
  write: { repositoryId: string; version: number },
): void {
  set.status = 202;
  set.headers.etag = etag(write.version);
  wake(deps, write.repositoryId);
}
