/**
 * Configuration, parsed once at start from the environment.
 *
 * `parseConfig` never throws and never exits: it returns every problem at once, one line per bad variable,
 * so an operator fixes the whole environment in one go. `src/main.ts` prints them and exits with code 1.
 */
import { FIELD_POLICIES } from "./github/push/merge.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export type GitHubAuth =
  | { kind: "none" }
  | { kind: "token"; token: string }
  | { kind: "app"; appId: number; privateKey: string; installationId: number | null };

export interface Config {
  port: number;
  host: string;
  /** postgres.js when set; otherwise embedded PGlite under `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  redisUrl: string | null;
  githubApiUrl: string;
  githubAuth: GitHubAuth;
  /** Several secrets so one can be rotated without dropping deliveries. */
  webhookSecrets: string[];
  repositories: string[];
  apiTokens: string[];
  syncIntervalSeconds: number;
  /** How long a repository lease lasts without renewal; a dead replica's repositories move after this. */
  leaseTtlSeconds: number;
  /** Actor transition history older than this is pruned. */
  actorHistoryDays: number;
  /** Conflict policy per field over the defaults: `{ issue: { title: "local_wins" } }`. */
  fieldPolicies: Record<string, Record<string, "remote_wins" | "local_wins" | "manual">>;
  /** Spacing of writes to GitHub: at least 1 s against github.com (GitHub's best practice for content creation). */
  githubWriteSpacingMs: number;
  replicaId: string;
  logLevel: LogLevel;
  otlpEndpoint: string | null;
  /** No GitHub credentials: the service runs against the in-process simulator. */
  sandbox: boolean;
}

export type Env = Record<string, string | undefined>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Empty strings count as unset: `FOO=` in a compose file means "no value", not "the empty value". */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

function defaultReplicaId(env: Env): string {
  const host = read(env, "HOSTNAME") ?? "replica";
  return `${host}-${process.pid}`;
}

export function parseConfig(env: Env): ConfigResult {
  const errors: string[] = [];

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(env, name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      errors.push(`${name}: expected a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = read(env, name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error("protocol");
      return raw;
    } catch {
      const schemes = protocols.map((p) => `${p}//`).join(" or ");
      errors.push(`${name}: expected a URL starting with ${schemes}, got "${raw}"`);
      return undefined;
    }
  };

  const port = integer("PORT", 8080, 0, 65535);
  const host = read(env, "HOST") ?? "0.0.0.0";
  const databaseUrl = url("DATABASE_URL", ["postgres:", "postgresql:"]) ?? null;
  const dataDir = read(env, "DATA_DIR") ?? "./data";
  const redisUrl = url("REDIS_URL", ["redis:", "rediss:"]) ?? null;
  const githubApiUrl = (url("GITHUB_API_URL", ["http:", "https:"]) ?? "https://api.github.com").replace(
    /\/+$/,
    "",
  );
  const syncIntervalSeconds = integer("SYNC_INTERVAL_SECONDS", 300, 1, 86_400);
  const leaseTtlSeconds = integer("LEASE_TTL_SECONDS", 15, 1, 600);
  const actorHistoryDays = integer("ACTOR_HISTORY_DAYS", 30, 1, 3650);
  const githubWriteSpacingMs = integer("GITHUB_WRITE_SPACING_MS", 1000, 0, 60_000);
  const fieldPolicies = parseFieldPolicies(read(env, "SYNC_FIELD_POLICIES"), errors);

  const logLevelRaw = (read(env, "LOG_LEVEL") ?? "info").toLowerCase();
  let logLevel: LogLevel = "info";
  if ((LOG_LEVELS as readonly string[]).includes(logLevelRaw)) logLevel = logLevelRaw as LogLevel;
  else errors.push(`LOG_LEVEL: expected one of ${LOG_LEVELS.join(", ")}, got "${read(env, "LOG_LEVEL")}"`);

  const repositories = list(read(env, "GITHUB_REPOS"));
  const badRepos = repositories.filter((repo) => !REPO_NAME.test(repo));
  if (badRepos.length > 0) {
    errors.push(
      `GITHUB_REPOS: expected comma-separated owner/name pairs, got ${badRepos.map((r) => `"${r}"`).join(", ")}`,
    );
  }

  const githubAuth = parseGitHubAuth(env, errors);
  const otlpEndpoint = url("OTEL_EXPORTER_OTLP_ENDPOINT", ["http:", "https:"]) ?? null;

  // Each replica's sandbox is its own in-process simulator: replicas sharing one database would mirror several
  // different "GitHubs" into it.
  if (githubAuth.kind === "none" && redisUrl) {
    errors.push(
      "GITHUB_TOKEN: required when REDIS_URL is set (several replicas cannot share the in-process sandbox; " +
        "set GITHUB_TOKEN or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY, or unset REDIS_URL for a single sandbox)",
    );
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      port,
      host,
      databaseUrl,
      dataDir,
      redisUrl,
      githubApiUrl,
      githubAuth,
      webhookSecrets: list(read(env, "GITHUB_WEBHOOK_SECRET")),
      repositories: [...new Set(repositories.map((r) => r.toLowerCase()))],
      apiTokens: list(read(env, "API_TOKENS")),
      syncIntervalSeconds,
      leaseTtlSeconds,
      actorHistoryDays,
      githubWriteSpacingMs,
      fieldPolicies,
      replicaId: read(env, "REPLICA_ID") ?? defaultReplicaId(env),
      logLevel,
      otlpEndpoint,
      sandbox: githubAuth.kind === "none",
    },
  };
}

function parseGitHubAuth(env: Env, errors: string[]): GitHubAuth {
  const token = read(env, "GITHUB_TOKEN");
  const appIdRaw = read(env, "GITHUB_APP_ID");
  const keyRaw = read(env, "GITHUB_APP_PRIVATE_KEY");
  const installationRaw = read(env, "GITHUB_APP_INSTALLATION_ID");

  if (appIdRaw === undefined && keyRaw === undefined) {
    if (installationRaw !== undefined) {
      errors.push(
        "GITHUB_APP_INSTALLATION_ID: set only together with GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY",
      );
    }
    return token ? { kind: "token", token } : { kind: "none" };
  }
  if (token) {
    errors.push("GITHUB_TOKEN: set either GITHUB_TOKEN or GITHUB_APP_ID + GITHUB_APP_PRIVATE_KEY, not both");
  }
  let appId = 0;
  if (appIdRaw === undefined) errors.push("GITHUB_APP_ID: required when GITHUB_APP_PRIVATE_KEY is set");
  else if (!/^\d+$/.test(appIdRaw))
    errors.push(`GITHUB_APP_ID: expected the numeric App ID, got "${appIdRaw}"`);
  else appId = Number(appIdRaw);

  // Compose files and secret stores often flatten the PEM onto one line with literal "\n".
  const privateKey = keyRaw?.replace(/\\n/g, "\n") ?? "";
  if (keyRaw === undefined) errors.push("GITHUB_APP_PRIVATE_KEY: required when GITHUB_APP_ID is set");
  else if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(privateKey)) {
    errors.push("GITHUB_APP_PRIVATE_KEY: expected a PEM private key (-----BEGIN RSA PRIVATE KEY----- ...)");
  }

  let installationId: number | null = null;
  if (installationRaw === undefined) {
    // One installation per service for now: discovering installations per repository is not built.
    errors.push(
      "GITHUB_APP_INSTALLATION_ID: required with GITHUB_APP_ID (the installation to sync, a number)",
    );
  } else {
    if (/^\d+$/.test(installationRaw)) installationId = Number(installationRaw);
    else
      errors.push(`GITHUB_APP_INSTALLATION_ID: expected a numeric installation id, got "${installationRaw}"`);
  }
  return { kind: "app", appId, privateKey, installationId };
}

/** The fields that have a merge policy, per entity: exactly those the merge knows (github/push/merge.ts). */
const POLICY_FIELDS: Record<string, string[]> = Object.fromEntries(
  Object.entries(FIELD_POLICIES).map(([entity, fields]) => [entity, Object.keys(fields)]),
);
const POLICIES = ["remote_wins", "local_wins", "manual"] as const;

/** `issue.title=local_wins,milestone.description=remote_wins`: which side wins when both changed a field. */
function parseFieldPolicies(raw: string | undefined, errors: string[]): Config["fieldPolicies"] {
  const out: Config["fieldPolicies"] = {};
  for (const item of list(raw)) {
    const match = item.match(/^([a-z_]+)\.([a-z_]+)=([a-z_]+)$/);
    const [entity = "", field = "", policy = ""] = match ? match.slice(1) : [];
    if (
      !match ||
      !POLICY_FIELDS[entity]?.includes(field) ||
      !(POLICIES as readonly string[]).includes(policy)
    ) {
      errors.push(
        `SYNC_FIELD_POLICIES: expected entity.field=policy (entity.field one of ${Object.entries(
          POLICY_FIELDS,
        )
          .flatMap(([e, fs]) => fs.map((f) => `${e}.${f}`))
          .join(", ")}; policy one of ${POLICIES.join(", ")}), got "${item}"`,
      );
      continue;
    }
    out[entity] = { ...out[entity], [field]: policy as (typeof POLICIES)[number] };
  }
  return out;
}
