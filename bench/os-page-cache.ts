// The OS page cache over a store's files, for bench:history's cache states. Dropping needs no
// privileges (unlike /proc/sys/vm/drop_caches, which a container cannot write): each file is flushed
// (fdatasync), then `dd iflag=nocache count=0` (GNU coreutils) asks the kernel to drop its clean pages
// (POSIX_FADV_DONTNEED on the whole file). Pages another process has mapped or dirtied since may stay,
// so fincore(1) reports what is still cached afterwards. No shell: argv only.

import { execFile } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The regular files at these paths (directories walked), skipping paths that do not exist. */
export function filesUnder(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let s;
    try {
      s = statSync(p);
    } catch {
      continue; // e.g. no -wal file right now
    }
    if (s.isDirectory()) out.push(...filesUnder(readdirSync(p).map((n) => path.join(p, n))));
    else if (s.isFile()) out.push(p);
  }
  return out;
}

export async function dropFromPageCache(files: readonly string[]): Promise<void> {
  for (const f of files) {
    const fd = openSync(f, 'r');
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    await run('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none']);
  }
}

/** Bytes of these files in the page cache now (fincore), and their total size. */
export async function cachedBytes(files: readonly string[]): Promise<{ cached: number; size: number }> {
  let cached = 0;
  for (let i = 0; i < files.length; i += 200) {
    const { stdout } = await run('fincore', ['--bytes', '--noheadings', '--raw', '--output', 'RES', ...files.slice(i, i + 200)]);
    for (const line of stdout.split('\n')) cached += Number(line.trim() || 0);
  }
  return { cached, size: files.reduce((n, f) => n + statSync(f).size, 0) };
}

/**
 * The disk's floor for a cold query: `n` reads of 4 KiB at random offsets of these files (just dropped,
 * so each is a disk read, plus whatever readahead the kernel adds), in ms, sorted. Drop again after.
 */
export function randomReadsMs(files: readonly string[], n: number): number[] {
  const sizes = files.map((f) => statSync(f).size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const buf = Buffer.alloc(4096);
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    let at = Math.floor(Math.random() * total);
    let k = 0;
    while (at >= (sizes[k] as number)) at -= sizes[k++] as number;
    const fd = openSync(files[k] as string, 'r');
    try {
      const t0 = process.hrtime.bigint();
      readSync(fd, buf, 0, 4096, at - (at % 4096));
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    } finally {
      closeSync(fd);
    }
  }
  return ms.sort((a, b) => a - b);
}
