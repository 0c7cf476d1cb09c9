// /proc readers for bench:ingest: CPU seconds of processes (and of this process),
// PSS from smaps_rollup, and the whole box's CPU.

import { existsSync, readFileSync } from 'node:fs';
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

/** Proportional set size (shared pages divided among their users), in bytes; 0 when gone. */
export function pssBytes(pid: number | 'self'): number {
  const file = `/proc/${pid}/smaps_rollup`;
  if (!existsSync(file)) return 0;
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(file, 'utf8'));
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
 * Cumulative CPU seconds of a changing set of processes, from readings taken often enough (the
 * caller samples every 250 ms): each process keeps its last reading after it is gone, so the
 * difference of two `read`s counts every process's CPU inside the interval, less what a process
 * used between its last reading and its exit. No reliance on reaping or on /proc's child lists.
 */
export class CpuTracker {
  readonly #last = new Map<number, number>();

  read(pids: number[]): number {
    for (const pid of pids) {
      const v = processCpuSec(pid);
      if (v >= (this.#last.get(pid) ?? 0)) this.#last.set(pid, v);
    }
    let sum = 0;
    for (const v of this.#last.values()) sum += v;
    return sum;
  }
}
