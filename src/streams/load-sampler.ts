// Reads how loaded the box is: Node's event-loop delay (frames queue behind a busy loop) and the
// whole machine's CPU from /proc/stat (ffmpeg processes fall behind on a saturated box).

import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { LoadSample } from './overload-policy.js';

interface CpuTimes {
  busy: number;
  total: number;
}

/** The `cpu` line of /proc/stat: busy and total jiffies since boot; null where it cannot be read. */
export function readCpuTimes(file = '/proc/stat'): CpuTimes | null {
  try {
    const line = readFileSync(file, 'utf8').split('\n', 1)[0] ?? '';
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    if (f.length < 5 || f.some((v) => !Number.isFinite(v))) return null;
    // user nice system idle iowait irq softirq steal (guest is already in user)
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

export class LoadSampler {
  #loop: IntervalHistogram | null = null;
  #cpu: CpuTimes | null = null;

  start(): void {
    this.#loop = monitorEventLoopDelay({ resolution: 20 });
    this.#loop.enable();
    this.#cpu = readCpuTimes();
  }

  /** The load since the previous sample (or start). */
  sample(): LoadSample {
    const h = this.#loop;
    const loopDelayMs = h && h.count > 0 ? h.percentile(99) / 1e6 : 0;
    h?.reset();
    const now = readCpuTimes();
    const before = this.#cpu;
    this.#cpu = now;
    const cpuBusy = now && before && now.total > before.total ? (now.busy - before.busy) / (now.total - before.total) : null;
    return { loopDelayMs, cpuBusy };
  }

  close(): void {
    this.#loop?.disable();
    this.#loop = null;
  }
}
