import { EventEmitter } from 'node:events';
import t from 'tap';
import { CameraVisibilityCache, type CameraVisibility } from '../../../src/live/camera-visibility.js';
import { LiveHub } from '../../../src/live/live-hub.js';
import type { LiveMessage } from '../../../src/live/live-messages.js';
import { createLogger } from '../../../src/logger.js';

/** A socket stand-in that accepts `room` writes, then reports back-pressure until drain() is called. */
class Sink extends EventEmitter {
  written: string[] = [];
  ended = false;
  constructor(private room = Infinity) { super(); }
  write(chunk: string): boolean {
    this.written.push(chunk);
    return this.written.length < this.room;
  }
  drain(room: number) { this.room = this.written.length + room; this.emit('drain'); }
  end() { this.ended = true; }
}

const cams: CameraVisibility[] = [
  { id: 'gate', name: 'Cổng làng', householdId: null, shareWithOfficers: true },
  { id: 'ho1-cam', name: 'Nhà 1', householdId: 'ho-1', shareWithOfficers: false },
];
const ev = (cameraId: string, n: number, type: 'new' | 'update' | 'end' = 'new'): LiveMessage => ({
  kind: 'alert', cameraId, type, event: { id: `01a22b09-0988-734b-afe2-${String(n).padStart(12, '0')}`, cameraId } as never,
});
const logger = createLogger({ level: 'silent' });
const hub = () => new LiveHub({ cameras: new CameraVisibilityCache({ load: async () => cams }), logger, queueCapacity: 5 });

t.test('each client gets the messages of the cameras in its scope, with the camera name', async (t) => {
  const h = hub();
  const sinks = { admin: new Sink(), officer: new Sink(), ho1: new Sink(), ho2: new Sink() };
  h.connect({ kind: 'all' }, sinks.admin).client.resume();
  h.connect({ kind: 'shared-with-officers' }, sinks.officer).client.resume();
  h.connect({ kind: 'household', householdId: 'ho-1' }, sinks.ho1).client.resume();
  h.connect({ kind: 'household', householdId: 'ho-2' }, sinks.ho2).client.resume();
  await h.deliver(ev('gate', 1));
  await h.deliver(ev('ho1-cam', 2));
  await h.deliver({ kind: 'camera', cameraId: 'ho1-cam', availability: 'offline' });
  t.equal(sinks.admin.written.length, 3);
  t.same(sinks.officer.written.map((w) => w.split('\n')[0]), ['event: alert']);
  t.match(sinks.officer.written[0], /"cameraName":"Cổng làng"/);
  t.same(sinks.ho1.written.map((w) => w.split('\n')[0]), ['event: alert', 'event: camera']);
  t.same(sinks.ho2.written, []);
  await h.close();
  t.ok(sinks.admin.ended, 'close ends every stream');
});

t.test('a paused client (replaying) queues live messages and sends them after', async (t) => {
  const h = hub();
  const sink = new Sink();
  const { client } = h.connect({ kind: 'all' }, sink);
  await h.deliver(ev('gate', 1));
  client.writeNow('replay\n\n');
  client.resume();
  t.equal(sink.written[0], 'replay\n\n');
  t.match(sink.written[1], /^event: alert/);
  await h.close();
});

t.test('a slow client: writes wait for drain, updates are dropped, a backlog of news disconnects it', async (t) => {
  const h = hub();
  const slow = new Sink(1);
  const fast = new Sink();
  h.connect({ kind: 'all' }, slow).client.resume();
  h.connect({ kind: 'all' }, fast).client.resume();
  await h.deliver(ev('gate', 1));
  for (let i = 0; i < 20; i++) await h.deliver(ev('gate', 2, 'update'));
  t.equal(slow.written.length, 1, 'nothing more written before drain');
  t.equal(fast.written.length, 21, 'a fast client is not held up');
  slow.drain(100);
  t.equal(slow.written.length, 2, 'only the latest update of the event was kept');
  for (let i = 0; i < 3; i++) await h.deliver(ev('gate', 10 + i, 'update'));
  t.equal(h.clientCount, 2);
  const stuck = new Sink(0);
  h.connect({ kind: 'all' }, stuck).client.resume();
  for (let i = 0; i < 8; i++) await h.deliver(ev('gate', 20 + i));
  t.ok(stuck.ended, 'overflowed with news: disconnected, to reconnect and replay');
  t.equal(h.clientCount, 2);
  await h.close();
});

t.test('ping only when idle', async (t) => {
  const h = new LiveHub({ cameras: new CameraVisibilityCache({ load: async () => cams }), logger, pingIntervalMs: 10 });
  const sink = new Sink();
  h.connect({ kind: 'all' }, sink).client.resume();
  h.start();
  const deadline = Date.now() + 5000;
  while (!sink.written.includes(': ping\n\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  t.ok(sink.written.includes(': ping\n\n'));
  await h.close();
});
