import t from 'tap';
import { lastEventIdFrom, liveMessageFrom, sseText, SSE_PING, sseRetry } from '../../../src/live/live-messages.js';

const id = '01a22b09-0988-734b-afe2-ac39d4b536b1';
const event = { id, cameraId: 'gate', zone: 'z', type: 'motion', startedAt: '2026-11-30T05:59:02.071Z', endedAt: null, score: 0.04, box: null, snapshotUrl: null, thumbnailUrl: null, snapshotSha256: null, incidentId: null };

t.test('our MQTT messages become live messages; anything else is ignored', async (t) => {
  t.match(liveMessageFrom('mt', 'mt/events', JSON.stringify({ type: 'new', event })), { kind: 'alert', cameraId: 'gate', type: 'new', event: { id } });
  t.same(liveMessageFrom('mt', 'mt/cameras/gate/availability', 'offline'), { kind: 'camera', cameraId: 'gate', availability: 'offline' });
  const action = { eventId: id, cameraId: 'gate', action: 'ack', username: 'officer', note: null, at: '2026-11-30T06:00:00.000Z' };
  t.match(liveMessageFrom('mt', 'mt/events/actions', JSON.stringify(action)), { kind: 'action', cameraId: 'gate', action });
  for (const [topic, payload] of [
    ['mt/events', 'not json'], ['mt/events', JSON.stringify({ type: 'open', event })], ['mt/events', JSON.stringify({ type: 'new', event: { ...event, id: 'x' } })],
    ['mt/events', JSON.stringify({ type: 'new' })], ['mt/events/actions', JSON.stringify({ ...action, action: 'delete' })],
    ['mt/cameras/gate/availability', 'maybe'], ['mt/cameras/a/b/availability', 'online'], ['mt/cameras/gate/motion', 'ON'], ['other/events', JSON.stringify({ type: 'new', event })],
  ]) t.equal(liveMessageFrom('mt', topic as string, payload as string), null, `${topic} ${String(payload).slice(0, 40)}`);
});

t.test('SSE text: alerts carry id <eventId>:<type> and the camera name; one data line each', async (t) => {
  const text = sseText({ kind: 'alert', cameraId: 'gate', type: 'update', event: event as never }, 'Cổng làng');
  t.match(text, new RegExp(`^event: alert\\nid: ${id}:update\\ndata: \\{.*\\}\\n\\n$`));
  t.same(JSON.parse(text.split('\n')[2]!.slice(6)), { type: 'update', event, cameraName: 'Cổng làng' });
  t.equal(sseText({ kind: 'camera', cameraId: 'gate', availability: 'online' }, null), 'event: camera\ndata: {"cameraId":"gate","availability":"online"}\n\n');
  const a = sseText({ kind: 'action', cameraId: 'gate', action: { eventId: id, cameraId: 'gate', action: 'escalate', username: 'o', note: 'n\nx', at: 'T' } }, null);
  t.equal(a.split('\n').length, 4, 'a newline in a note stays escaped inside the JSON');
  t.equal(SSE_PING, ': ping\n\n');
  t.equal(sseRetry(3000), 'retry: 3000\n\n');
});

t.test('Last-Event-ID is <uuid>:<new|update|end>, else ignored', async (t) => {
  t.equal(lastEventIdFrom(`${id}:end`), id);
  for (const bad of [undefined, '', id, `${id}:open`, `${id}:new:x`, 'x:new', [`${id}:new`]]) t.equal(lastEventIdFrom(bad as never), null, String(bad));
});
