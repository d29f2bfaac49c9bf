/**
 * Conditional requests (reference §3). The ETag covers the body and the credential, because GitHub varies
 * responses by Authorization: one token's ETag does not validate another's cache.
 */

export async function etagFor(credentialKey: string, body: Uint8Array<ArrayBuffer>): Promise<string> {
  const enc = new TextEncoder().encode(`${credentialKey}\n`);
  const buf = new Uint8Array(enc.length + body.length);
  buf.set(enc, 0);
  buf.set(body, enc.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buf));
  let hex = "";
  for (let i = 0; i < 20; i++) hex += (digest[i] ?? 0).toString(16).padStart(2, "0");
  return `W/"${hex}"`;
}

/** If-None-Match may list several tags, with or without the weak prefix, or `*`. */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (!header) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, "");
  const want = strip(etag);
  return header.split(",").some((t) => t.trim() === "*" || strip(t) === want);
}

export function notModifiedSince(header: string | null, lastModified: number | undefined): boolean {
  if (!header || lastModified === undefined) return false;
  const since = Date.parse(header);
  if (Number.isNaN(since)) return false;
  return Math.floor(lastModified / 1000) * 1000 <= since;
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}
