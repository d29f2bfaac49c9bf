/**
 * X-Hub-Signature-256 against any of the configured secrets (several, so one can be rotated without failing
 * deliveries). The legacy SHA-1 X-Hub-Signature is never enough on its own.
 */
import { verify } from "@octokit/webhooks-methods";

const SHA256 = /^sha256=[0-9a-f]{64}$/i;

export async function verifySignature(
  secrets: readonly string[],
  body: string,
  signature: string | null,
): Promise<boolean> {
  if (!signature || !SHA256.test(signature) || body.length === 0) return false;
  for (const secret of secrets) {
    // verify() is an HMAC compare in constant time (Web Crypto's subtle.verify or Node's timingSafeEqual).
    if (await verify(secret, body, signature).catch(() => false)) return true;
  }
  return false;
}
