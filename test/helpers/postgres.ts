// A private PostgreSQL for tests and benchmarks: initdb into a temp dir (or a kept one), the server
// started as a child process on a free loopback port and stopped by its pid. As root the server must
// run as the `postgres` user (it refuses root), so initdb and postgres are spawned with its uid/gid.
// No shell anywhere. Each test gets a database of its own (createDatabase).

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freeLoopbackPort } from '../../src/free-port.js';

const run = promisify(execFile);

export interface PostgresServer {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:port/<name> */
  url(database: string): string;
  /** Creates a fresh, uniquely named database and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

/** The newest installed server's bin directory (Debian: /usr/lib/postgresql/<major>/bin), or null. */
export function postgresBinDir(): string | null {
  if (process.env.PG_BIN && existsSync(path.join(process.env.PG_BIN, 'postgres'))) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const majors = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'postgres'))).sort((a, b) => Number(b) - Number(a));
  return majors[0] ? path.join(root, majors[0], 'bin') : null;
}

/** As root: the postgres user's ids (from /etc/passwd); otherwise run as ourselves. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no postgres user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function waitReady(proc: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/database system is ready to accept connections/.test(out)) {
        proc.stderr?.off('data', onData);
        proc.stderr?.resume();
        resolve();
      }
    };
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`postgres exited (${code}) before it was ready:\n${out}`)));
    proc.once('error', reject);
  });
}

export interface StartPostgresOptions {
  /** Keep the cluster here across runs (benchmarks); default: a temp dir removed on stop. */
  dataDir?: string;
  /** Extra server settings (name → value). */
  settings?: Record<string, string>;
}

/** Starts a private server; null when PostgreSQL is not installed (callers skip, saying why). */
export async function startPostgres(o: StartPostgresOptions = {}): Promise<PostgresServer | null> {
  const bin = postgresBinDir();
  if (!bin) return null;
  const user = runAs();
  const dir = o.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'mt-pg-'));
  const data = path.join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  if (user) chownSync(dir, user.uid, user.gid);
  const spawnOpts = { ...user, cwd: dir, env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' } };
  if (!existsSync(path.join(data, 'PG_VERSION'))) {
    await run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], spawnOpts);
  }
  const port = await freeLoopbackPort();
  // A test database is thrown away: durability settings off make it fast, not less correct while running.
  const settings = { listen_addresses: '127.0.0.1', fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', ...o.settings };
  const args = ['-D', data, '-p', String(port), '-k', dir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const proc = spawn(path.join(bin, 'postgres'), args, { ...spawnOpts, stdio: ['ignore', 'ignore', 'pipe'] });
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  await waitReady(proc);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async createDatabase(prefix = 't') {
      const name = `${prefix}_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      process.off('exit', killOnExit);
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGINT'); // fast shutdown: disconnects clients, then exits cleanly
        await exited;
      }
      if (!o.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
