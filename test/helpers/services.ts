// Real Redis and Mosquitto for integration tests: one private instance per test file on a free
// loopback port, stopped (by pid) in teardown. Readiness is awaited on the processes' own output.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeLoopbackPort } from '../../src/free-port.js';

export interface ServiceProcess {
  readonly url: string;
  readonly port: number;
  /** Stops the process (SIGTERM, then SIGKILL) and resolves once it exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** The running process's pid (benchmarks read its CPU time from /proc). */
  pid(): number | undefined;
}

function waitForOutput(proc: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        proc.stdout?.off('data', onData);
        proc.stderr?.off('data', onData);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${out}`)));
    proc.once('error', reject);
  });
}

async function stopProcess(proc: ChildProcess | null): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

function managed(scheme: string, port: number, launch: () => Promise<ChildProcess>, cleanup: () => void): ServiceProcess & { ready: Promise<void> } {
  let proc: ChildProcess | null = null;
  const svc = {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    async start() {
      proc = await launch();
    },
    async stop() {
      await stopProcess(proc);
      proc = null;
    },
    pid: () => proc?.pid,
    ready: Promise.resolve(),
  };
  process.once('exit', () => { proc?.kill('SIGKILL'); cleanup(); });
  return svc;
}

export async function startRedis(): Promise<ServiceProcess> {
  const port = await freeLoopbackPort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-redis-'));
  const svc = managed('redis', port, async () => {
    const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(p, /Ready to accept connections/, 'redis-server');
    return p;
  }, () => rmSync(dir, { recursive: true, force: true }));
  await svc.start();
  return svc;
}

export async function startMosquitto(): Promise<ServiceProcess> {
  const port = await freeLoopbackPort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-mosquitto-'));
  const conf = path.join(dir, 'mosquitto.conf');
  writeFileSync(conf, [
    `listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence true', `persistence_location ${dir}/`,
    // Mosquitto keeps only 1000 queued QoS 1 messages for an offline persistent client by default and
    // silently drops the rest; a burst test with the subscriber offline needs more (see docs/mqtt.md).
    'max_queued_messages 100000',
    // As a site broker should be: without it Nagle's algorithm delays small alert packets (~40 ms).
    'set_tcp_nodelay true',
    'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information', '',
  ].join('\n'));
  const svc = managed('mqtt', port, async () => {
    const p = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(p, /mosquitto version [0-9.]+ running/, 'mosquitto');
    return p;
  }, () => rmSync(dir, { recursive: true, force: true }));
  await svc.start();
  return svc;
}
