// Nodes of a several-node deployment as real processes: `mat-than serve --role …` from dist/
// (built by `npm test` first: loading the TypeScript sources through tsx costs seconds per process),
// each with one shared config file. Used by the scale tests and bench:scale. Processes are stopped
// by their pid; SIGKILL is how a test makes a node die.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { clusterKeys } from '../../src/cluster/cluster-keys.js';
import type { WatchRecord } from '../../src/cluster/watch-coverage.js';
import { WatchLog } from '../../src/cluster/watch-log.js';
import { CameraRegistry } from '../../src/cameras/camera-registry.js';
import { CredentialCipher } from '../../src/cameras/credential-cipher.js';
import { buildConfig, type Config } from '../../src/config.js';
import { CamerasRepository } from '../../src/db/cameras.repository.js';
import { openDatabase } from '../../src/db/database.js';
import { createLogger } from '../../src/logger.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(root, 'dist/cli/mat-than.js');

/** Why the node tests cannot run here, or null. */
export function nodesUnavailable(): string | null {
  return existsSync(CLI) ? null : 'dist/ is not built (npm run build; npm test builds it)';
}

export interface NodeProcess {
  readonly proc: ChildProcess;
  readonly roles: string;
  /** API base URL (api role) or health URL (others), from the node's "running" log line. */
  readonly url: string;
  /** The ingest node's id, from its health answer ('' for other roles). */
  nodeId: string;
  /** Last log lines, for failure messages. */
  readonly tail: string[];
  health(): Promise<NodeHealth>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface NodeHealth {
  status: string;
  roles: string;
  ingest?: { nodeId: string; cameras: string[]; target: number };
  streams?: Array<{ cameraId: string; status: string }>;
}

export interface Deployment {
  readonly config: Config;
  readonly configFile: string;
  readonly nodes: NodeProcess[];
  start(roles: string, env?: Record<string, string>): Promise<NodeProcess>;
  watchRecords(): Promise<WatchRecord[]>;
  close(): Promise<void>;
}

/** Quick timings for tests; production defaults are in config/default.yaml. */
// A busy two-core box delays timers by a second or more: locks much shorter than this get fenced off spuriously.
export const FAST_CLUSTER = { lockDurationMs: 6000, stalledIntervalMs: 2000, heartbeatMs: 1000, nodeTtlMs: 6000, reconcileMs: 3000, healthPort: 0 };

export function deploymentConfig(o: { redisUrl: string; databaseUrl: string | null; mqttUrl?: string; overrides?: Record<string, unknown> }): Record<string, unknown> {
  const unique = randomUUID().slice(0, 8);
  return {
    host: '127.0.0.1', port: 0, redisUrl: o.redisUrl, databaseUrl: o.databaseUrl,
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'mt-shared-')),
    secretKey: randomBytes(32).toString('base64'),
    mqtt: { url: o.mqttUrl ?? null, topicPrefix: `test-${unique}`, clientId: `mt-${unique}`, discoveryPrefix: `ha-${unique}` },
    queue: { name: `q-${unique}` },
    stream: { backoffInitialMs: 200, backoffMaxMs: 2000 },
    cluster: FAST_CLUSTER,
    log: { level: 'info', pretty: false },
    ...o.overrides,
  };
}

function spawnNode(configFile: string, roles: string, env: Record<string, string>): Promise<NodeProcess> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--role', roles], {
    env: { PATH: process.env.PATH ?? '', MATTHAN_CONFIG: configFile, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    const keep = (line: string) => { tail.push(line); if (tail.length > 40) tail.shift(); };
    createInterface({ input: proc.stderr! }).on('line', keep);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      keep(line);
      let msg: { msg?: string; url?: string; health?: string };
      try { msg = JSON.parse(line) as typeof msg; } catch { return; }
      if (msg.msg !== 'Mắt Thần is running') return;
      const url = msg.url ?? msg.health ?? '';
      const node: NodeProcess = {
        proc, roles, url, nodeId: '', tail,
        async health() {
          const res = await fetch(`${url}/healthz`);
          return await res.json() as NodeHealth;
        },
        async kill(signal) {
          if (proc.exitCode !== null || proc.signalCode !== null) return;
          const exited = new Promise<void>((r) => proc.once('exit', () => r()));
          proc.kill(signal);
          await exited;
        },
      };
      resolve(node);
    });
    proc.once('exit', (code) => reject(new Error(`node ${roles} exited (${code}) before it ran:\n${tail.join('\n')}`)));
  });
}

export function startDeployment(raw: Record<string, unknown>): Deployment {
  const config = buildConfig(raw);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-deploy-'));
  const configFile = path.join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(raw));
  const nodes: NodeProcess[] = [];
  const redis = new Redis(config.redisUrl!, { maxRetriesPerRequest: null });
  const log = new WatchLog(redis, clusterKeys(config.queue.name).watchLog);
  const killAll = () => { for (const n of nodes) n.proc.kill('SIGKILL'); };
  process.once('exit', killAll);
  return {
    config, configFile, nodes,
    async start(roles, env = {}) {
      const node = await spawnNode(configFile, roles, env);
      nodes.push(node);
      if (roles.includes('ingest')) node.nodeId = (await node.health()).ingest?.nodeId ?? '';
      return node;
    },
    watchRecords: () => log.read(),
    async close() {
      process.off('exit', killAll);
      await Promise.all(nodes.map((n) => n.kill('SIGTERM')));
      await redis.quit();
      rmSync(dir, { recursive: true, force: true });
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Which live ingest node holds which camera, from their health answers (a camera held twice appears
 * twice); with `streaming`, only cameras whose stream is online.
 */
export async function holdings(nodes: readonly NodeProcess[], streaming = true): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const n of nodes) {
    if (!n.roles.includes('ingest') || n.proc.exitCode !== null || n.proc.signalCode !== null) continue;
    const h = await n.health();
    const online = new Set((h.streams ?? []).filter((s) => s.status === 'online').map((s) => s.cameraId));
    out.set(n.nodeId, (h.ingest?.cameras ?? []).filter((c) => !streaming || online.has(c)));
  }
  return out;
}

/** True when every camera is watched (and streaming) by exactly one live node. */
export function allWatchedOnce(held: Map<string, string[]>, cameras: readonly string[]): boolean {
  const all = [...held.values()].flat();
  return all.length === cameras.length && cameras.every((c) => all.includes(c));
}

/** Fills the registry straight in the deployment's database (as the config file would): ingest nodes need no api node to learn of them. */
export async function seedCameras(config: Config, cameras: ReadonlyArray<{ id: string; rtspUrl: string }>): Promise<void> {
  const db = openDatabase(config.databaseUrl, config.dataDir);
  await db.start();
  try {
    const registry = new CameraRegistry({
      repo: new CamerasRepository(db.db), cipher: new CredentialCipher(config.secretKey!), logger: createLogger({ level: 'silent' }), onboarding: config.onboarding,
    });
    await registry.seedFromConfig(cameras.map((c) => ({ ...c, name: c.id, zone: 'z1', householdId: null, shareWithOfficers: false })));
  } finally {
    await db.close();
  }
}
