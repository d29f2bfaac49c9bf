/** Deterministic randomness and GitHub-shaped identifiers. */

/** mulberry32: small, fast, good enough for deterministic seeding and fault dice. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * GitHub node IDs are opaque, prefixed strings (`I_kwDO…`, `PVT_kwDO…`, `PVTI_lADO…`). Clients must not parse
 * them, so we only keep the prefix convention and make the rest unique and stable.
 */
export function nodeId(prefix: string, id: number): string {
  let n = id;
  let s = "";
  do {
    s = B64[n % 64] + s;
    n = Math.floor(n / 64);
  } while (n > 0);
  return `${prefix}_kwDO${s.padStart(6, "A")}`;
}

/** A random v4-shaped GUID, as in X-GitHub-Delivery. */
export function guid(rand: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(rand() * 4)]}${hex(3)}-${hex(12)}`;
}

export function randomToken(prefix: string, rand: () => number): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let s = prefix;
  for (let i = 0; i < 36; i++) s += chars[Math.floor(rand() * chars.length)];
  return s;
}
