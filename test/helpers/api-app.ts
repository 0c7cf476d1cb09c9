// The HTTP app over a real SQLite (or, asked for, PostgreSQL) database and a temporary directory, without streams, Redis or MQTT:
// cameras registered by RTSP URL (nothing probed), events inserted as the worker would, one account
// per role, and helpers to call the API as each of them.

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Accounts } from '../../src/auth/accounts.js';
import { AuditLog } from '../../src/auth/audit-log.js';
import type { Role } from '../../src/auth/viewer.js';
import { CameraRegistry } from '../../src/cameras/camera-registry.js';
import { CredentialCipher, newSecretKey } from '../../src/cameras/credential-cipher.js';
import { buildConfig, type Config } from '../../src/config.js';
import { AuditRepository } from '../../src/db/audit.repository.js';
import { CamerasRepository } from '../../src/db/cameras.repository.js';
import type SqliteDatabase from 'better-sqlite3';
import type { Engine } from '../../src/db/column-types.js';
import { Database, type AppDatabase } from '../../src/db/database.js';
import { PostgresDatabase } from '../../src/db/postgres-database.js';
import { EventActionsRepository } from '../../src/db/event-actions.repository.js';
import { EventsRepository, type EventRow } from '../../src/db/events.repository.js';
import { Topics } from '../../src/mqtt/topics.js';
import { UsersRepository } from '../../src/db/users.repository.js';
import { SnapshotStore } from '../../src/events/snapshot-store.js';
import { freeLoopbackPort } from '../../src/free-port.js';
import { buildApp, type AppDeps } from '../../src/http/app.js';
import { ffmpegMajorVersion } from '../../src/main.js';
import { createLogger } from '../../src/logger.js';
import { uuidv7 } from 'uuidv7';
import { CameraVisibilityCache, visibilityOf } from '../../src/live/camera-visibility.js';
import { LiveHub } from '../../src/live/live-hub.js';
import { LogCollector } from './harness.js';
import { freshPostgresUrl } from './stores.js';

export const PASSWORD = 'correct horse battery';
/** The accounts every api-app has: one per role, two households. */
export const ACCOUNTS = {
  admin: { role: 'admin', householdId: null },
  officer: { role: 'officer', householdId: null },
  police: { role: 'police', householdId: null },
  'ho-1': { role: 'household', householdId: 'ho-1' },
  'ho-2': { role: 'household', householdId: 'ho-2' },
} as const satisfies Record<string, { role: Role; householdId: string | null }>;
export type AccountName = keyof typeof ACCOUNTS;

export interface ApiApp {
  app: FastifyInstance;
  engine: Engine;
  db: AppDatabase;
  /** The SQLite connection, for tests that tamper with rows behind the service's back (throws on PostgreSQL). */
  sqlite(): SqliteDatabase.Database;
  config: Config;
  accounts: Accounts;
  audit: AuditLog;
  registry: CameraRegistry;
  events: EventsRepository;
  snapshots: SnapshotStore;
  /** The live feed's fan-out, without a broker: tests deliver messages to it directly. */
  live: LiveHub;
  logs: LogCollector;
  tokens: Record<AccountName, string>;
  /** Calls the API as `who` (null: without a token). */
  as(who: AccountName | null, opts: InjectOptions): Promise<LightMyRequestResponse>;
  /** Stores an event (and its snapshot and thumbnail, if given) as the worker would. */
  addEvent(e: Partial<EventRow> & { camera_id: string }, jpeg?: Buffer): Promise<EventRow>;
  /** Every route the app registered, as "METHOD /url" (HEAD twins left out). */
  routes: string[];
  close(): Promise<void>;
}

export async function startApiApp(overrides: Record<string, unknown> = {}, engine: Engine = 'sqlite', appDeps: Partial<AppDeps> = {}): Promise<ApiApp> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mt-api-'));
  const config = buildConfig({ dataDir, auth: { loginAttemptsPerMinute: 1000 }, ...overrides });
  const logs = new LogCollector();
  const logger = createLogger({ level: 'debug', destination: logs });
  const db = engine === 'sqlite' ? new Database(path.join(dataDir, 'matthan.db')) : new PostgresDatabase(await freshPostgresUrl(), { max: 4 });
  await db.start();
  const accounts = new Accounts(new UsersRepository(db.db), config.auth, logger);
  const audit = new AuditLog(new AuditRepository(db.db));
  const registry = new CameraRegistry({ repo: new CamerasRepository(db.db), cipher: new CredentialCipher(newSecretKey()), logger, onboarding: config.onboarding });
  const events = new EventsRepository(db.db);
  const snapshots = new SnapshotStore(dataDir);
  const cameraCache = new CameraVisibilityCache({ load: async () => (await registry.list()).map(visibilityOf) });
  registry.onChange(async () => cameraCache.invalidate());
  const live = new LiveHub({ cameras: cameraCache, logger });
  const app = buildApp({
    live, eventActions: new EventActionsRepository(db.db), topics: new Topics('matthan'), zones: config.zones, timezone: config.alerts.timezone,
    ffmpeg: { path: config.stream.ffmpegPath, major: ffmpegMajorVersion(config.stream.ffmpegPath) },
    logger, accounts, audit, events, snapshots, publicUrl: 'http://127.0.0.1:8080', registry, cameraStats: () => [],
    discoveryPort: await freeLoopbackPort(), readinessChecks: { database: () => db.ping() }, ...appDeps,
  });
  const routes: string[] = [];
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push(`${m} ${r.url}`);
  });
  await app.ready();
  const tokens = {} as Record<AccountName, string>;
  for (const [username, a] of Object.entries(ACCOUNTS) as Array<[AccountName, (typeof ACCOUNTS)[AccountName]]>) {
    await accounts.create({ username, role: a.role, householdId: a.householdId, password: PASSWORD });
    tokens[username] = await accounts.tokenFor(username);
  }
  return {
    app, engine, db, config, accounts,
    sqlite() {
      if (!(db instanceof Database)) throw new Error('not a SQLite store');
      return db.sqlite;
    }, audit, registry, events, snapshots, live, logs, tokens, routes,
    as: (who, opts) => app.inject({ ...opts, headers: { ...opts.headers, ...(who === null ? {} : { authorization: `Bearer ${tokens[who]}` }) } }),
    async addEvent(e, jpeg) {
      const id = e.id ?? uuidv7();
      const startedAt = e.started_at ?? Date.now();
      const image = jpeg ? await snapshots.save(e.camera_id, id, startedAt, jpeg) : null;
      const thumb = jpeg ? await snapshots.save(e.camera_id, `${id}.thumb`, startedAt, jpeg.subarray(0, 4)) : null;
      const row: EventRow = {
        id, zone: 'default', household_id: null, type: 'motion', started_at: startedAt, ended_at: startedAt + 2000, score: 0.05, box: null,
        snapshot_path: image?.path ?? null, snapshot_sha256: image?.sha256 ?? null, thumbnail_path: thumb?.path ?? null, incident_id: null, alert: 'none',
        created_at: startedAt, updated_at: startedAt, ...e,
      };
      await events.insert(row);
      return row;
    },
    async close() {
      await app.close();
      await live.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
