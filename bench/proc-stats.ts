// /proc readers for bench:ingest: CPU seconds of processes (and of this process),
// PSS from smaps_rollup, and the whole box's CPU.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readCpuTimes } from '../src/streams/load-sampler.js';

const TICKS = 100; // USER_HZ on Linux

function statFields(pid: number | 'self'): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    return text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/);
  } catch {
    return null;
  }
}

/** utime + stime of a live process (all its threads), in seconds; 0 when it is gone. */
export function processCpuSec(pid: number): number {
  const f = statFields(pid);
  if (!f) return 0;
  return (Number(f[11]) + Number(f[12])) / TICKS;
}

/** This process's own CPU plus that of its children already reaped (cutime + cstime), in seconds. */
export function selfAndReapedCpuSec(): { self: number; reaped: number } {
  const f = statFields('self')!;
  return { self: (Number(f[11]) + Number(f[12])) / TICKS, reaped: (Number(f[13]) + Number(f[14])) / TICKS };
}

/** A process's own CPU plus that of its children it already reaped (cutime + cstime), in seconds; 0 when gone. */
export function processTreeCpuSec(pid: number): number {
  const f = statFields(pid);
  if (!f) return 0;
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
}

/**
 * Proportional set size (shared pages divided among their users), in bytes; 0 when gone. Read off the
 * event loop: reading smaps_rollup walks the process's page tables, 1–3 ms each, and 120 of them read
 * synchronously held the service's loop for ~300 ms, which its overload guard took for overload.
 */
export async function pssBytes(pid: number | 'self'): Promise<number> {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Busy cores over an interval of the whole box, from two readings of /proc/stat. */
export class BoxCpu {
  readonly #start = readCpuTimes();

  /** Busy cores (0..cores) since construction. */
  busyCores(cores: number): number | null {
    const now = readCpuTimes();
    const s = this.#start;
    if (!now || !s || now.total <= s.total) return null;
    return ((now.busy - s.busy) / (now.total - s.total)) * cores;
  }
}


/**
 * CPU seconds of this process's children so far: those already reaped (cutime + cstime) plus the
 * live ones in `pids`. The difference of two readings is exact for every child that ran inside the
 * interval, however short-lived (a child alive at the first reading that exits counts from that
 * reading on: its total is in the second reading's reaped part, its earlier CPU in the first one's
 * live part), with two readings only: sampling /proc every 250 ms cost this process (counted as ours)
 * more CPU than it measured. Node reaps a child as soon as it exits; children not in `pids` that run
 * throughout (the simulator) do not count.
 */
export function childrenCpuSec(pids: number[]): number {
  return selfAndReapedCpuSec().reaped + pids.reduce((a, pid) => a + processCpuSec(pid), 0);
}
