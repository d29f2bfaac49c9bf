/**
 * Validators for GitHub's own descriptions: REST responses against @octokit/openapi (by operation path, method
 * and status) and webhook payloads against @octokit/openapi-webhooks (by event and action).
 */
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

type Json = Record<string, unknown>;

const root = new URL("../../../node_modules/@octokit/", import.meta.url);
const rest = (await Bun.file(new URL("openapi/generated/api.github.com.json", root)).json()) as Json;
const hooks = (await Bun.file(
  new URL("openapi-webhooks/generated/api.github.com.json", root),
).json()) as Json;

function makeAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // OpenAPI 3.0's `nullable` is understood natively by Ajv 8; x-* extensions are ignored under strict:false.
  return ajv;
}

/** Rewrites local `#/components/...` refs to point into a registered document. */
function rebase(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rebase(n, id));
  if (node && typeof node === "object") {
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) {
      out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/") ? `${id}${v}` : rebase(v, id);
    }
    // OpenAPI 3.0 puts `nullable` beside allOf/anyOf/$ref too, which Ajv only accepts next to `type`.
    if (out.nullable === true && Array.isArray(out.enum) && !out.enum.includes(null))
      out.enum = [...out.enum, null];
    if (out.nullable === true && out.type === undefined) {
      const { nullable: _, ...rest } = out;
      return { anyOf: [rest, { type: "null" }] };
    }
    return out;
  }
  return node;
}

const restAjv = makeAjv();
restAjv.addSchema(rebase({ components: rest.components }, "rest") as Json, "rest");
const hooksAjv = makeAjv();
hooksAjv.addSchema(rebase({ components: hooks.components }, "hooks") as Json, "hooks");

function deref(doc: Json, node: unknown): Json {
  let n = node as Json;
  while (n && typeof n.$ref === "string") {
    n = (n.$ref as string)
      .slice(2)
      .split("/")
      .reduce<unknown>((o, k) => (o as Json)[k], doc) as Json;
  }
  return n;
}

const restCache = new Map<string, ValidateFunction | null>();

/** The response schema for an operation, or null when the operation declares no JSON body for that status. */
export function restValidator(method: string, path: string, status: number): ValidateFunction | null {
  const key = `${method} ${path} ${status}`;
  if (restCache.has(key)) return restCache.get(key) ?? null;
  const paths = rest.paths as Record<string, Record<string, Json>>;
  const op = paths[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`no operation ${method} ${path} in @octokit/openapi`);
  const responses = op.responses as Record<string, unknown>;
  const declared = responses[String(status)];
  if (!declared) throw new Error(`${method} ${path} does not declare status ${status}`);
  const res = deref(rest, declared);
  const schema = (res.content as Record<string, { schema?: unknown }> | undefined)?.["application/json"]
    ?.schema;
  const v = schema ? restAjv.compile(rebase(schema, "rest") as Json) : null;
  restCache.set(key, v);
  return v;
}

export function assertRestConforms(method: string, path: string, status: number, body: unknown): void {
  const v = restValidator(method, path, status);
  if (!v) return;
  if (!v(body)) {
    throw new Error(
      `${method} ${path} ${status} does not match @octokit/openapi:\n${JSON.stringify(v.errors?.slice(0, 8), null, 2)}`,
    );
  }
}

const hookCache = new Map<string, ValidateFunction>();

export function assertWebhookConforms(event: string, payload: Json): void {
  const action = typeof payload.action === "string" ? payload.action : null;
  const key = `${event.replace(/_/g, "-")}${action ? `-${action}` : ""}`;
  let v = hookCache.get(key);
  if (!v) {
    const webhooks = hooks.webhooks as Record<string, Json>;
    const def = webhooks[key];
    if (!def) throw new Error(`no webhook schema ${key} in @octokit/openapi-webhooks`);
    const schema = (((def.post as Json).requestBody as Json).content as Record<string, { schema: unknown }>)[
      "application/json"
    ]?.schema;
    v = hooksAjv.compile(rebase(schema, "hooks") as Json);
    hookCache.set(key, v);
  }
  if (!v(payload)) {
    throw new Error(
      `webhook ${key} does not match @octokit/openapi-webhooks:\n${JSON.stringify(v.errors?.slice(0, 8), null, 2)}`,
    );
  }
}
