/** GitHub App authentication: RS256 JWT checks (reference §8) with Web Crypto, and installation tokens. */
import type { Clock } from "./clock.ts";
import { HttpError } from "./errors.ts";

export interface AppConfig {
  id: number;
  clientId: string;
  slug: string;
  name: string;
  /** The owner of the app (an organization login). */
  owner: string;
  /** PEM (SPKI) public key matching the private key the client signs with. */
  publicKey: string;
  /** The app's webhook, receiving events for every installation. */
  webhook?: { url: string; secret: string | null };
}

const JWT_DOCS =
  "https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app";

function unauthorized(message: string): HttpError {
  return new HttpError(401, { message, documentation_url: JWT_DOCS, status: "401" });
}

function b64urlDecode(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(s.length / 4) * 4, "=");
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function looksLikeJwt(token: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token);
}

const keyCache = new Map<string, Promise<CryptoKey>>();

function importKey(pem: string): Promise<CryptoKey> {
  let k = keyCache.get(pem);
  if (!k) {
    const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    k = crypto.subtle.importKey(
      "spki",
      b64urlDecode(body.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")),
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["verify"],
    );
    keyCache.set(pem, k);
  }
  return k;
}

/** Verifies signature, issuer and the iat/exp window; throws GitHub's 401 otherwise. */
export async function verifyAppJwt(jwt: string, app: AppConfig, clock: Clock): Promise<void> {
  const [h, p, s] = jwt.split(".");
  if (!h || !p || s === undefined) throw unauthorized("A JSON web token could not be decoded");
  let header: { alg?: unknown };
  let claims: { iat?: unknown; exp?: unknown; iss?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(b64urlDecode(h)));
    claims = JSON.parse(new TextDecoder().decode(b64urlDecode(p)));
  } catch {
    throw unauthorized("A JSON web token could not be decoded");
  }
  if (header.alg !== "RS256") throw unauthorized("A JSON web token could not be decoded");
  const key = await importKey(app.publicKey);
  const ok = await crypto.subtle.verify(
    "RSASSA-PKCS1-v1_5",
    key,
    b64urlDecode(s),
    new TextEncoder().encode(`${h}.${p}`),
  );
  if (!ok) throw unauthorized("A JSON web token could not be decoded");
  const now = Math.floor(clock.now() / 1000);
  const { iat, exp, iss } = claims;
  // iat: an integer not in the future (GitHub tolerates a little drift; clients send now - 60 s).
  if (typeof iat !== "number" || !Number.isInteger(iat) || iat > now + 60) {
    throw unauthorized(
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.",
    );
  }
  if (typeof exp !== "number" || !Number.isInteger(exp) || exp <= now) {
    throw unauthorized(
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.",
    );
  }
  // exp may be at most 10 minutes after iat.
  if (exp - iat > 600) throw unauthorized("'Expiration time' claim ('exp') is too far in the future.");
  if (String(iss) !== String(app.id) && iss !== app.clientId) {
    throw unauthorized("'Issuer' claim ('iss') must be an Integer or the Client ID of the GitHub App.");
  }
}
