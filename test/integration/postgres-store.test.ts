// The service on PostgreSQL (DATABASE_URL=postgres://…), end to end with real Redis and Mosquitto:
// a burst through a broker restart arrives complete and is stored once; two services sharing the
// database and the queue (two machines) store each event once and publish each message once.

import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { camera, newJob } from '../helpers/jobs.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

const BURST = 300;

const newIds = (h: Harness) => h.eventMessages().filter((m) => m.type === 'new').map((m) => m.event.id);

const skip = postgresBinDir() === null ? 'PostgreSQL is not installed (scripts/setup.sh --test installs it)' : false;
let pg: PostgresServer | null = null;
t.before(async () => {
  if (!skip) pg = await startPostgres();
});
t.teardown(() => pg?.stop());

async function services(t: Test) {
  if (!pg) throw new Error('PostgreSQL did not start');
  const redis = await startRedis();
  const broker = await startMosquitto();
  t.teardown(async () => {
    await redis.stop();
    await broker.stop();
  });
  return { redis, broker, databaseUrl: await pg.createDatabase() };
}

t.test('a burst through a Mosquitto restart: every event delivered, each stored once in PostgreSQL', { skip }, async (t) => {
  const { redis, broker, databaseUrl } = await services(t);
  const h = await startHarness({ redisUrl: redis.url, mqttUrl: broker.url, cameras: [], overrides: { databaseUrl } });
  t.teardown(() => h.close());
  const jobs = Array.from({ length: BURST }, (_, i) => newJob(camera({ id: `cam${i % 10}` }), Date.now() + i));
  const producing = (async () => {
    for (let i = 0; i < jobs.length; i += 20) await Promise.all(jobs.slice(i, i + 20).map((j) => h.service.queue.add(j)));
  })();
  await waitFor('a quarter of the burst delivered', () => new Set(newIds(h)).size >= BURST / 4, 60_000);
  await broker.stop();
  await broker.start();
  await producing;
  await waitFor(`all ${BURST} event ids at the subscriber`, () => new Set(newIds(h)).size === BURST, 120_000);
  t.equal(await h.service.events.count(), BURST, 'the store holds each event exactly once');
  t.equal((await h.service.queue.counts()).failed, 0, 'no job failed for good');
});

t.test('two services on one database and one queue: each event stored once, each message published once', { skip }, async (t) => {
  const { redis, broker, databaseUrl } = await services(t);
  const shared = randomUUID().slice(0, 8);
  const machine = (n: number) => startHarness({
    redisUrl: redis.url, mqttUrl: broker.url, cameras: [],
    overrides: {
      databaseUrl, queue: { name: `q-${shared}` },
      mqtt: { url: broker.url, topicPrefix: `test-${shared}`, clientId: `mt-${shared}-${n}`, discoveryPrefix: `ha-${shared}` },
    },
  });
  const a = await machine(1);
  t.teardown(() => a.close());
  const b = await machine(2);
  t.teardown(() => b.close());
  const jobs = Array.from({ length: BURST }, (_, i) => newJob(camera({ id: `cam${i % 10}` }), Date.now() + i));
  for (let i = 0; i < jobs.length; i += 20) await Promise.all(jobs.slice(i, i + 20).map((j, k) => ((i + k) % 2 ? a : b).service.queue.add(j)));
  await waitFor(`all ${BURST} event ids at the subscriber`, () => new Set(newIds(a)).size === BURST, 120_000);
  t.equal(await a.service.events.count(), BURST, 'each event stored once');
  t.equal(await b.service.events.count(), BURST, 'both services read the same store');
  // Both relays run; the one holding the lock publishes. No broker restart here, so no re-sends either.
  await waitFor('the outbox drained', async () => (await a.service.outbox.pendingCount()) === 0, 30_000);
  t.equal(newIds(a).length, BURST, 'no event message published twice');
});
