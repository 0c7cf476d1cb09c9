// camera → ffmpeg → detector → BullMQ → SQLite + snapshot → MQTT, through the real parts.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parseLocator } from '../../src/events/snapshot-segments.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { startHarness, waitFor } from '../helpers/harness.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

t.test('a person crossing gives exactly one new and one end; a still scene gives nothing', async (t) => {
  const redis = await startRedis();
  const broker = await startMosquitto();
  const sim = await startRtspSimulator({ cameras: ['walk', 'still'] });
  const h = await startHarness({
    redisUrl: redis.url,
    mqttUrl: broker.url,
    cameras: [
      { id: 'walk', name: 'Cổng làng', rtspUrl: sim.url('walk'), zone: 'gate' },
      { id: 'still', name: 'Ngõ 3', rtspUrl: sim.url('still'), zone: 'lane-3' },
    ],
  });
  t.teardown(async () => {
    await h.close();
    await sim.stop();
    await redis.stop();
    await broker.stop();
  });
  const prefix = h.config.mqtt.topicPrefix;

  await waitFor('retained online status', () => h.received.find((m) => m.topic === `${prefix}/status` && m.payload === 'online'));
  // Let the background model settle on both cameras before anything moves.
  await waitFor('both streams analysing', () => h.framesOf('walk') >= 15 && h.framesOf('still') >= 15);
  await sim.cross('walk', 3);
  const end = await waitFor('the end message', () => h.eventMessages().find((m) => m.type === 'end'));
  // Exactly-once is judged after the pipeline has seen more quiet frames than an episode needs to end.
  const framesAtEnd = h.framesOf('walk');
  const quietFrames = Math.ceil(h.config.motion.endAfterSec * h.config.motion.fps) + 10;
  await waitFor('more quiet frames', () => h.framesOf('walk') >= framesAtEnd + quietFrames && h.framesOf('still') >= framesAtEnd + quietFrames, 60_000);

  await waitFor('motion OFF after its delay', () => h.received.find((m) => m.topic === `${prefix}/cameras/walk/motion` && m.payload === 'OFF'));
  const all = h.eventMessages();
  const events = all.filter((e) => e.type !== 'update');
  t.same(events.map((e) => e.type), ['new', 'end'], 'exactly one new, then one end');
  t.ok(all.every((e) => e.event.id === end.event.id), 'updates, if any, belong to the same event');
  t.equal(events[0]?.event.id, end.event.id, 'both carry the same event id');
  t.equal(end.event.cameraId, 'walk');
  t.notOk(events.some((e) => e.event.cameraId === 'still'), 'the still camera raised nothing');
  t.match(events[0]?.event, {
    zone: 'gate', endedAt: null,
    snapshotUrl: `${h.service.publicUrl}/api/events/${end.event.id}/snapshot.jpg`,
    thumbnailUrl: `${h.service.publicUrl}/api/events/${end.event.id}/thumbnail.jpg`,
    snapshotSha256: /^[0-9a-f]{64}$/,
  });
  t.match(end.event, { startedAt: String, endedAt: String });
  t.ok(end.event.score > 0);

  const motion = h.received.filter((m) => m.topic === `${prefix}/cameras/walk/motion`);
  t.same(motion.map((m) => m.payload), ['ON', 'OFF'], 'motion ON then OFF');
  t.ok(motion.every((m) => m.retain === false), 'live deliveries (retained copies go to new subscribers)');
  t.equal(h.received.filter((m) => m.topic === `${prefix}/cameras/still/motion`).length, 0);

  // One row, listed newest first through the HTTP API.
  t.equal(await h.service.events.count(), 1, 'one event row');
  const list = await h.inject({ method: 'GET', url: '/api/events?cameraId=walk&limit=10' });
  t.equal(list.statusCode, 200);
  const body = list.json() as { events: Array<{ id: string; endedAt: string | null }> };
  t.equal(body.events.length, 1);
  t.equal(body.events[0]?.id, end.event.id);
  t.ok(body.events[0]?.endedAt);
  t.same((await h.inject({ method: 'GET', url: '/api/events?cameraId=still' })).json(), { events: [], nextCursor: null });

  // The snapshot is a real JPEG that ffmpeg can decode, on disk and over HTTP.
  const snap = await h.inject({ method: 'GET', url: `/api/events/${end.event.id}/snapshot.jpg` });
  t.equal(snap.statusCode, 200);
  t.equal(snap.headers['content-type'], 'image/jpeg');
  const jpeg = snap.rawPayload;
  t.same([...jpeg.subarray(0, 2)], [0xff, 0xd8], 'starts with SOI');
  t.same([...jpeg.subarray(-2)], [0xff, 0xd9], 'ends with EOI');
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: jpeg, encoding: 'utf8' });
  t.equal(probe.status, 0, probe.stderr);
  t.match(probe.stdout.trim(), /^mjpeg,640,360$/);
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(Date.parse(end.event.startedAt));
  const row = await h.service.events.findById(end.event.id);
  const loc = parseLocator(row?.snapshot_path ?? '');
  t.match(loc?.segment, new RegExp(`^walk/${day}/h\\d+-[0-9a-f]+\\.seg$`), "in the camera's segment file, in the village's day folder");
  const segment = readFileSync(path.join(h.config.dataDir, 'snapshots', loc?.segment ?? 'missing'));
  t.same(segment.subarray(loc?.offset, (loc?.offset ?? 0) + (loc?.length ?? 0)), jpeg, 'the served bytes are on disk, in their range');
  t.equal(createHash('sha256').update(jpeg).digest('hex'), row?.snapshot_sha256, 'the row holds the SHA-256 of the served snapshot');

  const thumb = await h.inject({ method: 'GET', url: `/api/events/${end.event.id}/thumbnail.jpg` });
  t.equal(thumb.statusCode, 200);
  t.ok(thumb.rawPayload.length <= 20 * 1024, `thumbnail is small (${thumb.rawPayload.length} bytes)`);
  const tprobe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: thumb.rawPayload, encoding: 'utf8' });
  t.equal(tprobe.stdout.trim(), '192', 'thumbnail decodes, 192 px wide');

  const retained = h.received.filter((m) => m.topic === `${prefix}/cameras/walk/snapshot`);
  t.ok(retained.length >= 1, 'the latest snapshot is published for the camera');
  t.ok(h.received.some((m) => m.topic === `${prefix}/zones/gate/alerts`), 'officers of the zone are alerted');
  t.ok(h.received.some((m) => m.topic === `${prefix}/cameras/walk/availability` && m.payload === 'online'), 'availability online');

  // Home Assistant finds each camera's motion, connectivity and snapshot with no setup.
  const ha = h.received.filter((m) => m.topic.startsWith(`${h.config.mqtt.discoveryPrefix}/`) && m.topic.includes('_walk/'));
  t.same(ha.map((m) => m.topic.split('/')[1]).sort(), ['binary_sensor', 'binary_sensor', 'camera']);
  const motionConfig = JSON.parse(ha.find((m) => m.topic.endsWith('/motion/config'))?.payload ?? '{}') as Record<string, unknown>;
  t.match(motionConfig, { device_class: 'motion', state_topic: `${prefix}/cameras/walk/motion`, payload_on: 'ON', payload_off: 'OFF' });
});
