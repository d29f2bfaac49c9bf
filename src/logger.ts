/**
 * Structured JSON-lines logging to stdout/stderr: one object per line, so `docker logs` and Loki can parse it.
 */
import type { LogLevel } from "./config.ts";

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Where lines go; tests capture them. */
  write?: (line: string, level: LogLevel) => void;
  base?: LogFields;
}

function defaultWrite(line: string, level: LogLevel): void {
  if (level === "error" || level === "warn") process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

/** Errors do not serialise with JSON.stringify; keep message and stack. */
function serialise(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] =
      value instanceof Error ? { message: value.message, name: value.name, stack: value.stack } : value;
  }
  return out;
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = ORDER[options.level];
  const write = options.write ?? defaultWrite;
  const base = options.base ?? {};
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < threshold) return;
    const record = {
      time: new Date().toISOString(),
      level,
      msg,
      ...base,
      ...(fields ? serialise(fields) : {}),
    };
    write(JSON.stringify(record), level);
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (tests that don't look at logs). */
export const silentLogger: Logger = createLogger({ level: "error", write: () => {} });
