// Zero-config default: a private redis-server child process with its data under DATA_DIR,
// restarted if it dies, stopped with the service.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MatThanError } from '../errors.js';
import { freeLoopbackPort } from '../free-port.js';
import type { Logger } from '../logger.js';
import { backoffDelay } from '../streams/backoff.js';

export interface RedisServerOptions {
  dataDir: string;
  logger: Logger;
  binary?: string;
  /** 0 (default): a free loopback port chosen at start. */
  port?: number;
}

export class RedisServer {
  readonly #o: RedisServerOptions;
  readonly #log: Logger;
  #proc: ChildProcess | null = null;
  #port = 0;
  #closing = false;
  #attempt = 0;
  /** Restarts are only for a server that once came up; a bad first start is reported, not retried. */
  #everReady = false;

  constructor(o: RedisServerOptions) {
    this.#o = o;
    this.#log = o.logger.child({ component: 'redis-server' });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.#port}`;
  }

  async start(): Promise<void> {
    const bin = this.#o.binary ?? 'redis-server';
    const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      throw new MatThanError('REDIS_BINARY_MISSING', `'${bin}' was not found; install it (apt-get install redis-server) or set REDIS_URL`);
    }
    this.#port = this.#o.port || (await freeLoopbackPort());
    await this.#spawnAndWait();
  }

  async #spawnAndWait(): Promise<void> {
    const dir = path.join(this.#o.dataDir, 'redis');
    mkdirSync(dir, { recursive: true });
    const pidFile = path.join(dir, 'redis.pid');
    await stopOrphan(pidFile);
    const args = [
      '--port', String(this.#port), '--bind', '127.0.0.1', '--dir', dir, '--pidfile', pidFile,
      // Append-only file: queued events survive a restart of the box.
      '--appendonly', 'yes', '--save', '', '--daemonize', 'no', '--maxmemory-policy', 'noeviction',
    ];
    // Its own process group: a Ctrl-C in the terminal must not stop Redis before the queue and the
    // worker have closed (they would wait for it forever). close() stops it last.
    const proc = spawn(this.#o.binary ?? 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.#proc = proc;
    let output = '';
    const collect = (d: Buffer) => { output = (output + d.toString()).slice(-4000); };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    proc.on('exit', (code, signal) => this.#onExit(proc, code, signal, output));
    await new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (output.includes('Ready to accept connections')) {
          proc.stdout?.off('data', onData);
          resolve();
        }
      };
      proc.stdout?.on('data', onData);
      proc.once('exit', () => reject(new MatThanError('REDIS_START_FAILED', output.trim().split('\n').slice(-3).join(' | '))));
    });
    this.#attempt = 0;
    this.#everReady = true;
    this.#log.info({ url: this.url }, 'embedded redis-server ready');
  }

  #onExit(proc: ChildProcess, code: number | null, signal: string | null, output: string): void {
    if (proc !== this.#proc || this.#closing || !this.#everReady) return;
    this.#proc = null;
    this.#attempt++;
    const delay = backoffDelay(this.#attempt, { initialMs: 500, maxMs: 15_000 });
    this.#log.error({ code, signal, output: output.trim().split('\n').slice(-3), retryInMs: delay }, 'redis-server exited; restarting');
    setTimeout(() => {
      if (!this.#closing) this.#spawnAndWait().catch((err: unknown) => this.#log.error({ err }, 'redis-server restart failed'));
    }, delay).unref();
  }

  /**
   * Called synchronously when shutdown begins: a Ctrl-C in a terminal reaches the whole process
   * group, so redis-server may exit before close() runs, and must not be restarted then.
   */
  beginShutdown(): void {
    this.#closing = true;
  }

  async close(): Promise<void> {
    this.#closing = true;
    const proc = this.#proc;
    this.#proc = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * A redis-server of ours left running by a previous run that was killed outright (its own process
 * group outlives us) would hold the same data directory: stop it first.
 */
async function stopOrphan(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1 || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('redis-server')) return;
  } catch {
    return;
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
