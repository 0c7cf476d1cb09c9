// A transition's messages stored as one outbox row (a bundle) and published by the relay to a real
// Mosquitto, on a real SQLite and a real PostgreSQL: the subscriber gets the same messages, in the same
// order, with the same QoS and retain flags as when each message had a row of its own; a bundle partly
// acknowledged goes out again whole; rows stored before the bundle migration still go out after it.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator, sql } from 'kysely';
import mqtt from 'mqtt';
import tap, { type Test } from 'tap';
import type { AppDatabase } from '../../../src/db/database.js';
import { migrateToLatest, migrationsFor } from '../../../src/db/migrations.js';
import { newAlertState } from '../../../src/events/alert-rules.js';
import { handleEvent, type HandleEventDeps } from '../../../src/events/handle-event.js';
import { SnapshotStore } from '../../../src/events/snapshot-store.js';
import { createLogger } from '../../../src/logger.js';
import { MqttPublisher } from '../../../src/mqtt/mqtt-publisher.js';
import { OutboxRelay, type RelayPublisher } from '../../../src/mqtt/outbox-relay.js';
import { Topics, type Message } from '../../../src/mqtt/topics.js';
import { waitFor } from '../../helpers/harness.js';
import { camera, endJob, newJob } from '../../helpers/jobs.js';
import { startMosquitto } from '../../helpers/services.js';
import { forEachStore } from '../../helpers/stores.js';

const JPEG = Buffer.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
const logger = createLogger({ level: 'silent' });
const broker = startMosquitto();

interface Got { topic: string; text: string; qos: number; retain: boolean }

/** Describes a received message: JSON by its type (or alert id), the snapshot by its bytes. */
function describe(topic: string, payload: Buffer): string {
  if (topic.endsWith('/snapshot')) return payload.equals(JPEG) ? '<jpeg>' : '<other bytes>';
  const text = payload.toString();
  if (!text.startsWith('{')) return text;
  const body = JSON.parse(text) as { type?: string; alertId?: string; event?: { id: string } };
  return body.type ? `${body.type} ${body.event?.id}` : `alert ${body.alertId}`;
}

/** A relay on `db` publishing to the test's broker, and a subscriber (MQTT 5, retain as published) on the topics. */
async function setup(t: Test, db: AppDatabase, wrap: (p: RelayPublisher) => RelayPublisher = (p) => p, prefixAs?: string) {
  const { url } = await broker;
  const unique = Math.random().toString(36).slice(2);
  const got: Got[] = [];
  const sub = await mqtt.connectAsync(url, { clientId: `sub-${unique}`, protocolVersion: 5 });
  // A prefix of its own: retained messages of the tests before do not reach this one. Shown as `mt`.
  const prefix = prefixAs ?? `mt-${unique}`;
  sub.on('message', (topic, payload, packet) => {
    const shown = `mt${topic.slice(prefix.length)}`;
    if (shown !== 'mt/status') got.push({ topic: shown, text: describe(topic, payload), qos: packet.qos, retain: packet.retain });
  });
  await sub.subscribeAsync(`${prefix}/#`, { qos: 1, rap: true });
  const topics = new Topics(prefix);
  const publisher = new MqttPublisher({ url, clientId: `pub-${unique}`, topics, logger });
  await publisher.start();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mt-bundle-'));
  const snapshots = new SnapshotStore(dataDir);
  // The relay reads the files back as one in another process would (the worker's store serves recent ones from memory).
  const reader = new SnapshotStore(dataDir);
  const relay = new OutboxRelay({ outbox: db.relayOutbox(), publisher: wrap(publisher), readFile: (p) => reader.read(p), logger });
  t.teardown(async () => {
    await relay.close();
    await publisher.close();
    await sub.endAsync();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const deps: HandleEventDeps = {
    store: db.worker, snapshots, topics, publicUrl: 'http://x',
    rules: { timezone: 'Asia/Ho_Chi_Minh', cooldownMs: 60_000, incidentWindowMs: 30_000, schedules: new Map() },
    alertState: newAlertState(), motionOffDelayMs: 60_000, onStored: () => relay.notify(),
  };
  const pendingRows = async () => Number((await sql<{ n: number }>`select count(*) as n from outbox where published_at is null`.execute(db.db)).rows[0]?.n);
  return { got, relay, deps, snapshots, pendingRows, prefix };
}

const line = (g: Got) => `${g.topic} ${g.text} q${g.qos}${g.retain ? ' retained' : ''}`;

forEachStore((t, stores) => {
  t.test('a new event is one row; the subscriber gets its messages in order, with their QoS and retain flags', async (t) => {
    const db = await stores.open(t);
    const { got, relay, deps, pendingRows, prefix } = await setup(t, db);
    const job = { ...newJob(camera(), Date.now()), snapshot: JPEG.toString('base64') };
    const id = job.event.id;
    t.equal(await handleEvent(job, deps), 'stored');
    t.equal(await handleEvent(job, deps), 'duplicate', 'a retried job adds nothing');
    t.equal(await pendingRows(), 1, 'the new event\'s four messages are one outbox row');
    await handleEvent(endJob(camera(), id), deps);
    t.equal(await pendingRows(), 3, 'plus the end, and the delayed motion OFF in a row of its own');
    relay.start();
    await waitFor('the new event and its end received', () => got.length >= 5).catch((err: Error) => { throw new Error(`${err.message}: got ${got.map(line).join(', ')}`); });
    t.same(got.map(line), [
      `mt/events new ${id} q1`,
      'mt/cameras/cam1/motion ON q1 retained',
      'mt/cameras/cam1/snapshot <jpeg> q0 retained',
      `mt/zones/z1/alerts alert ${id} q1`,
      `mt/events end ${id} q1`,
    ]);
    await waitFor('the rows marked published', async () => (await pendingRows()) === 1);
    t.same((await sql<{ topic: string }>`select topic from outbox where published_at is null`.execute(db.db)).rows.map((r) => r.topic), [`${prefix}/cameras/cam1/motion`], 'the OFF waits for its delay');
    // New motion cancels that OFF: it never goes out.
    await handleEvent(newJob(camera(), Date.now()), deps);
    await waitFor('the second event received (new, motion ON: no snapshot, within the cooldown)', () => got.length >= 7);
    t.notOk(got.some((g) => g.text === 'OFF'), 'the pending OFF was cancelled by new motion');
    await waitFor('nothing pending', async () => (await pendingRows()) === 0);
  });

  t.test('a snapshot deleted before it is sent is skipped; the rest of its bundle goes out', async (t) => {
    const db = await stores.open(t);
    const { got, relay, deps, snapshots, pendingRows } = await setup(t, db);
    const job = { ...newJob(camera(), Date.now()), snapshot: JPEG.toString('base64') };
    await handleEvent(job, deps);
    const row = await db.db.selectFrom('events').select('snapshot_path').executeTakeFirstOrThrow();
    rmSync(path.join(snapshots.root, row.snapshot_path as string));
    relay.start();
    await waitFor('the bundle published', async () => (await pendingRows()) === 0);
    t.same(got.map((g) => g.topic), ['mt/events', 'mt/cameras/cam1/motion', 'mt/zones/z1/alerts']);
  });

  t.test('a bundle partly acknowledged is sent again whole, and marked only then', async (t) => {
    const db = await stores.open(t);
    // The broker cannot be made to refuse one chosen message of a round: the first alert is refused here.
    let refused = false;
    const { got, relay, deps, pendingRows } = await setup(t, db, (p) => ({
      get connected() { return p.connected; },
      waitConnected: () => p.waitConnected(),
      publish: (m: Message) => {
        if (!refused && m.topic.endsWith('/alerts')) {
          refused = true;
          return Promise.reject(new Error('refused for the test'));
        }
        return p.publish(m);
      },
    }));
    const job = newJob(camera(), Date.now());
    await handleEvent(job, deps);
    relay.start();
    await waitFor('the bundle sent again and marked', async () => (await pendingRows()) === 0 && got.length >= 5);
    const id = job.event.id;
    t.same(got.map((g) => `${g.topic} ${g.text}`), [
      `mt/events new ${id}`, 'mt/cameras/cam1/motion ON',
      `mt/events new ${id}`, 'mt/cameras/cam1/motion ON', `mt/zones/z1/alerts alert ${id}`,
    ], 'the first round without the refused alert, then the whole bundle');
  });

  t.test('rows stored one message each before the bundle migration are published after it', async (t) => {
    const db = await stores.open(t);
    const p = `mt-old-${db.engine}`;
    const migrator = new Migrator({ db: db.db, provider: { getMigrations: async () => migrationsFor(db.engine) } });
    const down = await migrator.migrateTo('0007_history_camera_covering');
    t.error(down.error);
    t.same(down.results?.map((r) => r.migrationName), ['0009_open_events', '0008_outbox_bundles']);
    const old = (key: string, topic: string, payload: string, retain: number) =>
      sql`insert into outbox (dedupe_key, topic, payload, payload_file, qos, retain, deliver_after, created_at)
          values (${key}, ${topic}, ${Buffer.from(payload)}, ${null}, 1, ${retain}, 0, 0)`.execute(db.db);
    await old('e1:new:0', `${p}/events`, '{"type":"new","event":{"id":"e1"}}', 0);
    await old('e1:new:1', `${p}/cameras/cam1/motion`, 'ON', 1);
    await old('e1:new:2', `${p}/zones/z1/alerts`, '{"alertId":"e1"}', 0);
    await migrateToLatest(db.db, db.engine);
    const { got, relay, deps, pendingRows } = await setup(t, db, undefined, p);
    const job = newJob(camera(), Date.now());
    await handleEvent(job, deps);
    t.equal(await pendingRows(), 4, 'three old rows and the new bundle');
    relay.start();
    await waitFor('everything published', async () => (await pendingRows()) === 0 && got.length >= 6);
    t.same(got.map(line), [
      'mt/events new e1 q1', 'mt/cameras/cam1/motion ON q1 retained', 'mt/zones/z1/alerts alert e1 q1',
      `mt/events new ${job.event.id} q1`, 'mt/cameras/cam1/motion ON q1 retained', `mt/zones/z1/alerts alert ${job.event.id} q1`,
    ], 'old rows first, as stored, then the bundle');
  });

  t.test('re-sending after a reconnect re-sends whole bundles', async (t) => {
    const db = await stores.open(t);
    const { got, relay, deps, pendingRows } = await setup(t, db);
    const job = newJob(camera(), Date.now());
    const before = Date.now();
    await handleEvent(job, deps);
    relay.start();
    await waitFor('published', async () => (await pendingRows()) === 0 && got.length >= 3);
    await relay.resendAfterReconnect(before + 5000);
    await waitFor('sent again', () => got.length >= 6);
    t.same(got.slice(3).map((g) => g.topic), got.slice(0, 3).map((g) => g.topic));
    await waitFor('marked again', async () => (await pendingRows()) === 0);
  });
});

// The broker outlives each engine's tests; stopped when the file ends.
tap.teardown(async () => (await broker).stop());
