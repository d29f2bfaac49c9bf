/**
 * CPU time of other processes (a baseline server, Postgres backends) from /proc, so a benchmark can say where
 * the machine's cores went per event. Linux only: elsewhere the snapshot is empty and the figure is null.
 */
import { readFileSync } from "node:fs";

// USER_HZ, the unit of utime/stime in /proc/<pid>/stat: 100 on every Linux kernel build in use.
const TICKS_PER_SECOND = 100;

/** utime + stime of one process in seconds, or null when /proc cannot say (not Linux, exited). */
export function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name may hold spaces and parentheses: count fields from the last ")". utime is field 14.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

export type CpuSnapshot = Map<number, number>;

export function cpuSnapshot(pids: readonly number[]): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const pid of pids) {
    const seconds = processCpuSeconds(pid);
    if (seconds !== null) snapshot.set(pid, seconds);
  }
  return snapshot;
}

/** CPU seconds spent between two snapshots by the processes in `after` (one started in between counts whole). */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): number | null {
  if (after.size === 0) return null;
  let spent = 0;
  for (const [pid, seconds] of after) spent += seconds - (before.get(pid) ?? 0);
  return spent;
}
