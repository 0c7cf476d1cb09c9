// Several workers on one PostgreSQL store: the alert rules' memory (cooldown, incident) is the stored
// events, read under the zone's transaction lock, so two workers, each with its own (empty) in-memory
// state, still alert once per cooldown and join one incident. Real PostgreSQL, two pools (two workers).

import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { PostgresDatabase } from '../../../src/db/postgres-database.js';
import { newAlertState } from '../../../src/events/alert-rules.js';
import { handleEvent, type HandleEventDeps } from '../../../src/events/handle-event.js';
import { SnapshotStore } from '../../../src/events/snapshot-store.js';
import { Topics } from '../../../src/mqtt/topics.js';
import { camera, newJob } from '../../helpers/jobs.js';
import { postgresBinDir } from '../../helpers/postgres.js';
import { freshPostgresUrl } from '../../helpers/stores.js';

const missing = postgresBinDir() === null ? 'PostgreSQL is not installed (scripts/setup.sh --test installs it)' : false;

async function twoWorkers(t: Test) {
  const url = await freshPostgresUrl();
  const workers = await Promise.all([0, 1].map(async () => {
    const db = new PostgresDatabase(url, { max: 2 });
    await db.start();
    t.teardown(() => db.close());
    const deps: HandleEventDeps = {
      store: db.worker, snapshots: new SnapshotStore(mkdtempSync(path.join(os.tmpdir(), 'mt-shared-'))), topics: new Topics('mt'),
      publicUrl: 'http://x', rules: { timezone: 'Asia/Ho_Chi_Minh', cooldownMs: 60_000, incidentWindowMs: 30_000, schedules: new Map() },
      alertState: newAlertState(), motionOffDelayMs: 5000, onStored: () => {},
    };
    return { db, deps };
  }));
  return workers as [typeof workers[0], typeof workers[0]];
}

t.test('two workers, one camera: one alert per cooldown, whichever worker takes which job', { skip: missing }, async (t) => {
  const [a, b] = await twoWorkers(t);
  const cam = camera({ id: 'gate', zone: 'z1' });
  const first = newJob(cam, 1_000_000);
  const second = newJob(cam, 1_010_000);
  // Concurrently, on two pools: the zone lock puts one decision after the other.
  await Promise.all([handleEvent(first, a.deps), handleEvent(second, b.deps)]);
  const rows = await a.db.db.selectFrom('events').select(['id', 'alert']).orderBy('started_at').execute();
  t.same(rows.map((r) => r.alert).sort(), ['alerted', 'cooldown'], 'one alert, one held back by the other worker\'s');
  const third = newJob(cam, 1_000_000 + 61_000 + 10_000);
  await handleEvent(third, a.deps);
  const last = await a.db.db.selectFrom('events').select('alert').where('id', '=', third.event.id).executeTakeFirstOrThrow();
  t.equal(last.alert, 'alerted', 'after the cooldown the camera alerts again');
});

t.test('two workers, two cameras of one zone close together: one incident', { skip: missing }, async (t) => {
  const [a, b] = await twoWorkers(t);
  const one = newJob(camera({ id: 'gate', zone: 'z1' }), 2_000_000);
  const two = newJob(camera({ id: 'lane', zone: 'z1' }), 2_005_000);
  const far = newJob(camera({ id: 'field', zone: 'z2' }), 2_006_000);
  await handleEvent(one, a.deps);
  await Promise.all([handleEvent(two, b.deps), handleEvent(far, a.deps)]);
  const rows = await a.db.db.selectFrom('events').select(['id', 'incident_id']).execute();
  const incident = (id: string) => rows.find((r) => r.id === id)?.incident_id;
  t.equal(incident(two.event.id), one.event.id, 'the second camera joins the first one\'s incident, decided on the other worker');
  t.equal(incident(far.event.id), far.event.id, 'another zone starts its own');
});
