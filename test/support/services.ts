/**
 * Which real services a test may use. DATABASE_URL / REDIS_URL point at them; when unset, tests that need them
 * skip with a printed notice, except under CI=true, where a missing service is a failure.
 * (No Docker engine answers on this project's machines, so testcontainers is not used here.)
 */

const notified = new Set<string>();

function missing(name: string, what: string): null {
  if (process.env.CI === "true") {
    throw new Error(`${name} is not set: ${what} tests cannot run, and under CI=true nothing may skip`);
  }
  if (!notified.has(name)) {
    notified.add(name);
    console.warn(`[notice] ${name} is not set: skipping tests that need ${what}`);
  }
  return null;
}

export function postgresUrl(): string | null {
  return process.env.DATABASE_URL || missing("DATABASE_URL", "a real Postgres server");
}

export function redisUrl(): string | null {
  return process.env.REDIS_URL || missing("REDIS_URL", "a real Redis server");
}
