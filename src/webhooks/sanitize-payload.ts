/**
 * Postgres refuses two things JSON allows: the NUL character (`\u0000`) in text and jsonb values, and unpaired
 * UTF-16 surrogates in jsonb. GitHub relays issue text as typed, so either can arrive, and the applier writes
 * payload strings into text columns (and `payload::jsonb` must keep working); such a payload is stored with NUL
 * and lone surrogates replaced by U+FFFD rather than refused (the signature was checked on the bytes as received).
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SUSPECT = /\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

export function jsonbSafe(text: string, parsed: unknown): string {
  if (!SUSPECT.test(text)) return text;
  return JSON.stringify(parsed, (_key, value: unknown) =>
    typeof value === "string"
      ? value.replace(LONE_SURROGATE, "\ufffd").replaceAll("\u0000", "\ufffd")
      : value,
  );
}
