/**
 * The one error-to-HTTP mapping. Every route's failure passes through here and leaves as problem+json;
 * nothing leaks a stack trace (it goes to the log with the request path instead).
 */
import type { ValidationError } from "elysia";
import type { Logger } from "../logger.ts";
import { type FieldError, ProblemError, problemBody, problemResponse } from "./problem.ts";

interface SchemaLike {
  anyOf?: SchemaLike[];
  const?: unknown;
  type?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  description?: string;
  title?: string;
}

interface ValueErrorLike {
  path: string;
  message: string;
  schema: SchemaLike;
  value: unknown;
}

/** Turn TypeBox's "Expected union value" into what a person can act on. */
function describe(error: ValueErrorLike): string {
  const schema = error.schema;
  const consts = schema.anyOf?.filter((s) => s.const !== undefined).map((s) => String(s.const));
  if (consts && consts.length > 0 && consts.length === schema.anyOf?.length) {
    return `expected one of ${consts.join(", ")}`;
  }
  const numeric = schema.anyOf?.find((s) => s.type === "integer" || s.type === "number") ?? schema;
  if (numeric.type === "integer" || numeric.type === "number") {
    const kind = numeric.type === "integer" ? "a whole number" : "a number";
    const min = numeric.minimum ?? schema.minimum;
    const max = numeric.maximum ?? schema.maximum;
    if (min !== undefined && max !== undefined) return `expected ${kind} from ${min} to ${max}`;
    if (min !== undefined) return `expected ${kind} >= ${min}`;
    return `expected ${kind}`;
  }
  if (schema.format === "uuid") return "expected a UUID";
  if (schema.format === "date-time") return "expected an ISO 8601 date-time, e.g. 2024-01-15T10:00:00Z";
  if (schema.type === "string" && schema.minLength !== undefined && error.value === "")
    return "must not be empty";
  if (schema.description) return `${error.message}: ${schema.description}`;
  return error.message;
}

function fieldName(path: string): string {
  const name = path.replace(/^\//, "").replace(/\//g, ".");
  return name || "body";
}

function validationFields(error: ValidationError): FieldError[] {
  const all = (error.all ?? []) as unknown as ValueErrorLike[];
  const seen = new Set<string>();
  const fields: FieldError[] = [];
  for (const item of all) {
    if (typeof item?.path !== "string") continue;
    const field = item.path ? fieldName(item.path) : (item.schema?.title ?? fieldName(item.path));
    if (seen.has(field)) continue;
    seen.add(field);
    fields.push({ field, message: describe(item) });
  }
  return fields;
}

const WHERE: Record<string, string> = {
  query: "query parameter",
  params: "path parameter",
  body: "body field",
};

export interface ErrorContext {
  code: string | number;
  error: unknown;
  request: Request;
}

export function mapError(ctx: ErrorContext, log: Logger): Response {
  const instance = new URL(ctx.request.url).pathname;
  const { code } = ctx;
  // A route's own body parser (src/api/writes/common.ts) refuses with a ProblemError (413, 400, 422); Elysia
  // wraps whatever a parser throws in its ParseError, which would otherwise turn all of them into a bare 400.
  const cause = (ctx.error as { cause?: unknown } | null)?.cause;
  const error = code === "PARSE" && cause instanceof ProblemError ? cause : ctx.error;

  if (error instanceof ProblemError) {
    return problemResponse(
      problemBody(error.status, error.message, {
        instance,
        ...(error.errors ? { errors: error.errors } : {}),
        ...error.extensions,
      }),
    );
  }
  if (code === "VALIDATION") {
    const validation = error as ValidationError;
    const fields = validationFields(validation);
    const where = WHERE[validation.type] ?? "input";
    const detail =
      fields.length > 0
        ? fields.map((f) => `${where} ${f.field}: ${f.message}`).join("; ")
        : `Invalid ${where}`;
    return problemResponse(problemBody(422, detail, { instance, errors: fields }));
  }
  if (code === "NOT_FOUND") {
    return problemResponse(problemBody(404, `No route for ${ctx.request.method} ${instance}`, { instance }));
  }
  if (code === "PARSE") {
    return problemResponse(problemBody(400, "The request body could not be parsed", { instance }));
  }
  if (code === "INVALID_COOKIE_SIGNATURE") {
    return problemResponse(problemBody(400, "Invalid cookie signature", { instance }));
  }
  const status =
    typeof (error as { status?: unknown })?.status === "number" ? (error as { status: number }).status : 500;
  if (status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : String(error);
    return problemResponse(problemBody(status, message, { instance }));
  }
  log.error("request failed", { path: instance, method: ctx.request.method, error });
  return problemResponse(problemBody(500, "An unexpected error occurred; it has been logged", { instance }));
}
