// A worker killed with SIGKILL in the middle of a job: the job is retried by another worker,
// and neither the store nor the officers' phones see it twice.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import t from 'tap';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { camera, newJob } from '../helpers/jobs.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

function startWorker(h: Harness, block: string): { proc: ChildProcess; line: (text: string) => Promise<void> } {
  const proc = spawn(process.execPath, ['test/fixtures/worker-process.mjs'], {
    env: { ...process.env, MT_CONFIG: JSON.stringify(h.config), BLOCK: block, PUBLIC_URL: h.service.publicUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on('line', (l) => { lines.push(l); waiters.splice(0).forEach((w) => w()); });
  const line = async (text: string) => {
    while (!lines.includes(text)) await new Promise<void>((r) => waiters.push(r));
  };
  return { proc, line };
}

for (const where of ['before-commit', 'after-commit']) {
  t.test(`SIGKILL ${where}: retried once, stored once, alerted once`, async (t) => {
    const redis = await startRedis();
    const broker = await startMosquitto();
    const h = await startHarness({ redisUrl: redis.url, mqttUrl: broker.url, cameras: [], worker: false, overrides: { queue: { lockDurationMs: 2000 } } });
    const procs: ChildProcess[] = [];
    t.teardown(async () => {
      for (const p of procs) p.kill('SIGKILL');
      await h.close();
      await redis.stop();
      await broker.stop();
    });

    const doomed = startWorker(h, where);
    procs.push(doomed.proc);
    await doomed.line('ready');
    // before-commit blocks in the snapshot write, so the job carries a snapshot.
    const job = { ...newJob(camera({ id: 'gate' })), snapshot: Buffer.from([0xff, 0xd8, 0xff, 0xd9]).toString('base64') };
    await h.service.queue.add(job);
    await doomed.line(`blocked ${where}`);
    doomed.proc.kill('SIGKILL');
    await new Promise((r) => doomed.proc.once('exit', r));

    const survivor = startWorker(h, '');
    procs.push(survivor.proc);
    await survivor.line('ready');
    const prefix = h.config.mqtt.topicPrefix;
    await waitFor('the alert', () => h.received.find((m) => m.topic === `${prefix}/zones/z1/alerts`), 60_000);
    // Settle: the queue is empty (the retried job completed) and the outbox has nothing left to send.
    await waitFor('queue drained and outbox sent', async () => {
      const c = await h.service.queue.counts();
      return c.waiting + c.active + c.delayed === 0 && (await h.service.outbox.pendingCount()) === 0;
    }, 60_000);

    t.equal(await h.service.events.count(), 1, 'one row');
    t.equal(h.eventMessages().filter((m) => m.type === 'new' && m.event.id === job.event.id).length, 1, 'one new event message');
    t.equal(h.received.filter((m) => m.topic === `${prefix}/zones/z1/alerts`).length, 1, 'one alert');
    t.equal((await h.service.queue.counts()).failed, 0, 'nothing failed for good');
  });
}
