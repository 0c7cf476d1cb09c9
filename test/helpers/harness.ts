// Runs the real service in-process against a test's own Redis, Mosquitto and RTSP simulator,
// with unique queue and topic names, and a subscriber that records what an officer's phone would get.

import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import mqtt, { type MqttClient } from 'mqtt';
import { buildConfig, type CameraConfig, type Config } from '../../src/config.js';
import { isMatThanError } from '../../src/errors.js';
import type { PublicEvent } from '../../src/events/event-types.js';
import { createLogger } from '../../src/logger.js';
import { startService, type Service } from '../../src/main.js';

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Polls a condition until it holds; fails with `what` after the deadline. Not a sleep: it returns as soon as the state is reached. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class LogCollector extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface Harness {
  service: Service;
  config: Config;
  logs: LogCollector;
  received: Received[];
  subscriber: MqttClient;
  eventMessages(): Array<{ type: string; event: PublicEvent }>;
  framesOf(cameraId: string): number;
  statusOf(cameraId: string): string | undefined;
  /** app.inject as an admin account made for the test. */
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export type CameraInput = Pick<CameraConfig, 'id' | 'rtspUrl'> & Partial<CameraConfig>;

export interface HarnessOptions {
  redisUrl: string;
  mqttUrl: string;
  cameras: CameraInput[];
  overrides?: Record<string, unknown>;
  worker?: boolean;
}

/** Overload thresholds that are never reached: tests that do not test overload run at their configured rates. */
export const NO_OVERLOAD = { cpuBusy: 1, loopDelayMs: 10_000 };

export async function startHarness(opts: HarnessOptions): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mt-data-'));
  const unique = randomUUID().slice(0, 8);
  const config = buildConfig({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    redisUrl: opts.redisUrl,
    mqtt: { url: opts.mqttUrl, topicPrefix: `test-${unique}`, clientId: `mt-${unique}`, discoveryPrefix: `ha-${unique}` },
    queue: { name: `q-${unique}` },
    cameras: opts.cameras,
    stream: { backoffInitialMs: 200, backoffMaxMs: 2000 },
    // Tests of other stages watch every frame; patrol (the service default) has its own tests.
    // The box's load (other test files, other work) must not step their analysis rates down either.
    analysis: { mode: 'full', overload: NO_OVERLOAD },
    secretKey: randomBytes(32).toString('base64'),
    ...opts.overrides,
  });
  const received: Received[] = [];
  // A persistent session: the subscriber's queue survives a broker restart, like an officer's phone app's.
  const subscriber = await mqtt.connectAsync(opts.mqttUrl, { clientId: `sub-${unique}`, clean: false, reconnectPeriod: 200 });
  subscriber.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await subscriber.subscribeAsync([`${config.mqtt.topicPrefix}/#`, `${config.mqtt.discoveryPrefix}/#`], { qos: 1 });
  const logs = new LogCollector();
  const service = await startService(config, createLogger({ level: 'debug', destination: logs }), { worker: opts.worker });
  const stats = (id: string) => service.supervisor.stats().find((s) => s.cameraId === id);
  // Services sharing one database (the PostgreSQL tests) share this account: the first one creates it.
  await service.accounts.create({ username: 'test-admin', role: 'admin', password: randomBytes(16).toString('base64url') })
    .catch((err: unknown) => { if (!isMatThanError(err, 'USER_EXISTS')) throw err; });
  const authorization = `Bearer ${await service.accounts.tokenFor('test-admin')}`;
  return {
    service,
    config,
    logs,
    received,
    subscriber,
    eventMessages: () =>
      received.filter((m) => m.topic === `${config.mqtt.topicPrefix}/events`).map((m) => JSON.parse(m.payload) as ReturnType<Harness['eventMessages']>[number]),
    framesOf: (id) => stats(id)?.framesAnalysed ?? 0,
    statusOf: (id) => stats(id)?.status,
    inject: (o) => service.app.inject({ ...o, headers: { ...o.headers, authorization } }),
    async close() {
      await service.close();
      await subscriber.endAsync(true);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
