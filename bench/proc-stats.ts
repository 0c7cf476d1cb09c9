// /proc readers for bench:ingest: CPU seconds of processes (and of this process's reaped children),
// PSS from smaps_rollup, and the whole box's CPU.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
 * CPU seconds used by a changing set of child processes, for differences over a window: reaped
 * children are in this process's cutime/cstime (their whole life), live ones (`live`) are read from
 * /proc; the difference of two readings counts every process's share inside the window once, as
 * long as no other child is reaped in the window (the simulator lives throughout).
 */
export function childCpuReading(live: number[]): number {
  return selfAndReapedCpuSec().reaped + live.reduce((a, p) => a + processCpuSec(p), 0);
}

/** This process's child process ids (zombies included: their times stay readable until reaped). */
export function childPids(exclude: number[] = []): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
      for (const p of readFileSync(`/proc/${process.pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/)) {
        const pid = Number(p);
        if (pid > 0 && !exclude.includes(pid)) out.push(pid);
      }
    }
  } catch {
    // a thread ended while listing: the next reading sees the rest
  }
  return out;
}
