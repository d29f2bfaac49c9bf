/**
 * Arrival time with microseconds (timestamptz keeps them): events are applied in received order, and a batch
 * committed together would otherwise share one transaction timestamp.
 */
export function receivedAtNow(): string {
  const t = performance.timeOrigin + performance.now();
  const ms = Math.floor(t);
  const micros = Math.min(999, Math.floor((t - ms) * 1000));
  return new Date(ms).toISOString().replace("Z", `${String(micros).padStart(3, "0")}Z`);
}
