/** X-Hub-Signature-256 (HMAC-SHA256) and the legacy X-Hub-Signature (HMAC-SHA1) over the raw body. */

async function hmac(hash: "SHA-256" | "SHA-1", secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  let hex = "";
  for (const b of sig) hex += b.toString(16).padStart(2, "0");
  return hex;
}

export async function signatures(secret: string, body: string): Promise<{ sha256: string; sha1: string }> {
  return {
    sha256: `sha256=${await hmac("SHA-256", secret, body)}`,
    sha1: `sha1=${await hmac("SHA-1", secret, body)}`,
  };
}
