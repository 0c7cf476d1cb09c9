// Camera-side motion over ONVIF PullPoint against the simulator on loopback (no mocks): scripted
// motion on every topic form, stuck motion, an instant-answer camera, faults and recovery, renewal
// by the camera's clock, the global subscription cap and clean shutdown. No sleeps stand in for
// synchronisation: every wait is for a condition, with a deadline that fails the test.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMatThanError, type ErrorCode } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { CameraEventWatcher, type CameraEventWatcherOptions, type CameraEventStats } from '../../src/onvif/camera-event-watcher.js';
import { createPullPoint, getEventsAddress, type PullPointTarget } from '../../src/onvif/pull-point-client.js';
import { startOnvifSimulator, type OnvifSimulator, type OnvifSimulatorOptions, type SimMotionTopic } from '../../src/sim/onvif-simulator.js';
import { LogCollector } from '../helpers/harness.js';

type Tap = Pick<typeof t, 'teardown' | 'fail'>;

const USER = 'admin';
const PASSWORD = 'Ev3nts-pw!';
const logs = new LogCollector();
const logger = createLogger({ level: 'debug', destination: logs });

async function sim(t: Tap, opts: OnvifSimulatorOptions = {}): Promise<OnvifSimulator> {
  const s = await startOnvifSimulator({ username: USER, password: PASSWORD, ...opts });
  t.teardown(() => s.close());
  return s;
}

const target = (s: OnvifSimulator, password = PASSWORD) => ({ host: '127.0.0.1', port: s.port, username: USER, password });

function watcher(t: Tap, o: Partial<CameraEventWatcherOptions> = {}): CameraEventWatcher {
  const w = new CameraEventWatcher({ logger, maxSubscriptions: 10, minPollGapMs: 50, pullTimeoutSec: 2, requestTimeoutMs: 2000,
    backoffInitialMs: 50, backoffMaxMs: 200, maxActiveSec: 60, ...o });
  t.teardown(() => w.close());
  return w;
}

/** Listener that records every call. */
function recorder() {
  const calls: Array<{ active: boolean; at: number }> = [];
  return { calls, states: () => calls.map((c) => c.active), listener: (active: boolean, at: number) => void calls.push({ active, at }) };
}

/** Polls a condition every 10 ms; rejects (failing the test) after the deadline. */
async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const statOf = (w: CameraEventWatcher, id: string): CameraEventStats | undefined => w.stats().find((s) => s.cameraId === id);
/** Subscribed and at least `polls` PullMessages answered, so a scripted event now arrives as a Changed message. */
const subscribed = (w: CameraEventWatcher, id: string, polls = 1) =>
  until(`${id} subscribed`, () => statOf(w, id)?.state === 'subscribed' && (statOf(w, id)?.polls ?? 0) >= polls);

t.test('start → true, stop → false on all three topic forms and both value styles, changes only', async (t) => {
  const s = await sim(t);
  const w = watcher(t);
  const r = recorder();
  w.watch('cam1', target(s), r.listener);
  w.start();
  await subscribed(w, 'cam1');
  const topics: SimMotionTopic[] = ['VideoSource/MotionAlarm', 'RuleEngine/CellMotionDetector/Motion', 'RuleEngine/MotionRegionDetector/Motion'];
  let expected = 0;
  for (const topic of topics) {
    for (const valueStyle of ['bool', 'int'] as const) {
      const on = ++expected;
      s.setMotion(true, { topic, valueStyle });
      await until(`${topic}/${valueStyle} on`, () => r.calls.length === on && r.calls.at(-1)?.active === true);
      const off = ++expected;
      s.setMotion(false);
      await until(`${topic}/${valueStyle} off`, () => r.calls.length === off && r.calls.at(-1)?.active === false);
    }
  }
  t.same(r.states(), Array.from({ length: 12 }, (_v, k) => k % 2 === 0), 'on/off alternating, one call per change');

  s.setMotion(true);
  await until('on again', () => r.calls.length === 13);
  const pollsBefore = statOf(w, 'cam1')!.polls;
  s.setMotion(true); // a repeated ON is not a change
  s.setMotion(false);
  await until('off', () => r.calls.length === 14);
  t.ok(statOf(w, 'cam1')!.polls > pollsBefore, 'the repeated ON was pulled');
  t.same(r.states().slice(12), [true, false], 'no call for the repeated ON');
  t.equal(statOf(w, 'cam1')?.failures, 0);
  t.ok(r.calls.every((c, k) => k === 0 || c.at >= r.calls[k - 1]!.at), 'timestamps in order');
});

t.test('stop never sent: the watcher ends motion after maxActiveSec, with a warning', async (t) => {
  const s = await sim(t);
  const w = watcher(t, { maxActiveSec: 0.3 });
  const r = recorder();
  w.watch('stuck', target(s), r.listener);
  w.start();
  await subscribed(w, 'stuck');
  s.setMotion(true, { topic: 'RuleEngine/CellMotionDetector/Motion' });
  await until('on', () => r.calls.length === 1);
  await until('ended by the watcher', () => r.calls.length === 2);
  t.same(r.states(), [true, false]);
  t.ok(r.calls[1]!.at - r.calls[0]!.at >= 290, `not before maxActiveSec (${r.calls[1]!.at - r.calls[0]!.at} ms)`);
  t.match(logs.text, /"cameraId":"stuck".*never off/, 'logged as a warning');
  t.equal(statOf(w, 'stuck')?.active, false);
  s.setMotion(true);
  await until('a new ON after that is reported again', () => r.calls.length === 3);
  t.equal(r.calls[2]!.active, true);
});

t.test('instant-answer camera: PullMessages never more often than minPollGapMs, events still flow', async (t) => {
  const gap = 100;
  const s = await sim(t, { faults: { instantPull: true } });
  const w = watcher(t, { minPollGapMs: gap, pullTimeoutSec: 20 });
  const r = recorder();
  w.watch('fast', target(s), r.listener);
  w.start();
  await subscribed(w, 'fast', 2);
  const c0 = s.eventCounts().PullMessages;
  const t0 = Date.now();
  await until('15 more pulls', () => s.eventCounts().PullMessages >= c0 + 15);
  const pulls = s.eventCounts().PullMessages - c0;
  const windowMs = Date.now() - t0;
  t.ok(pulls <= windowMs / gap + 1, `${pulls} pulls in ${windowMs} ms ≤ ${(windowMs / gap + 1).toFixed(1)}`);
  s.setMotion(true);
  await until('on', () => r.calls.length === 1);
  t.equal(statOf(w, 'fast')?.failures, 0);
});

t.test('subscription fault, then recovery: no events while faulted, failures counted, then it subscribes', async (t) => {
  const s = await sim(t, { faults: { subscriptionFault: true } });
  const w = watcher(t);
  const r = recorder();
  w.watch('flaky', target(s), r.listener);
  w.start();
  await until('3 failures', () => (statOf(w, 'flaky')?.failures ?? 0) >= 3);
  s.setMotion(true);
  await until('2 more failed attempts after the motion', () => (statOf(w, 'flaky')?.failures ?? 0) >= 5);
  t.same(r.calls, [], 'no events while faulted');
  t.equal(s.eventSubscriptions(), 0);
  t.ok(s.eventCounts().CreatePullPointSubscription >= 5, 'it kept trying');
  t.equal(s.eventCounts().PullMessages, 0);
  t.match(logs.text, /"cameraId":"flaky".*SubscribeCreationFailedFault.*"code":"ONVIF_FAULT"/, 'the fault is logged with its code');

  s.setFaults({ subscriptionFault: false });
  await until('on from the initial state', () => r.calls.length === 1);
  t.equal(statOf(w, 'flaky')?.state, 'subscribed');
  s.setMotion(false);
  await until('off', () => r.calls.length === 2);
  t.same(r.states(), [true, false]);
});

t.test('dropped subscriptions (camera reboot): it resubscribes on its own', async (t) => {
  const s = await sim(t);
  const w = watcher(t);
  const r = recorder();
  w.watch('reboot', target(s), r.listener);
  w.start();
  await subscribed(w, 'reboot');
  s.setMotion(true, { topic: 'RuleEngine/MotionRegionDetector/Motion', valueStyle: 'int' });
  await until('on', () => r.calls.length === 1);
  s.dropSubscriptions();
  await until('resubscribed', () => s.eventCounts().CreatePullPointSubscription === 2 && s.eventSubscriptions() === 1);
  await subscribed(w, 'reboot');
  t.equal(statOf(w, 'reboot')?.failures, 1, 'the lost subscription counted once');
  t.equal(s.eventCounts().Unsubscribe, 0, 'no Unsubscribe for a subscription the camera already forgot');
  t.same(r.states(), [true], 'the initial state after resubscribing (still on) is no change');
  s.setMotion(false);
  await until('off through the new subscription', () => r.calls.length === 2);
  t.same(r.states(), [true, false]);
});

t.test('renewal at half the granted time, by the camera clock (2 h ahead of ours)', async (t) => {
  const s = await sim(t, { eventMaxGrantSec: 2, clockSkewMs: 2 * 3600_000 });
  const w = watcher(t, { pullTimeoutSec: 20 });
  const r = recorder();
  w.watch('renew', target(s), r.listener);
  w.start();
  await until('3 renewals', () => s.eventCounts().Renew >= 3);
  t.equal(s.eventCounts().CreatePullPointSubscription, 1, 'the subscription never expired');
  t.equal(statOf(w, 'renew')?.failures, 0);
  t.equal(s.eventSubscriptions(), 1);
  s.setMotion(true);
  await until('on', () => r.calls.length === 1);
});

t.test('global cap: 3 cameras, maxSubscriptions 2 → one waits until another is unwatched', async (t) => {
  const s = await sim(t);
  const w = watcher(t, { maxSubscriptions: 2 });
  const rs = { a: recorder(), b: recorder(), c: recorder() };
  for (const [id, r] of Object.entries(rs)) w.watch(id, target(s), r.listener);
  w.start();
  await subscribed(w, 'a', 2);
  await subscribed(w, 'b', 2);
  t.equal(statOf(w, 'c')?.state, 'waiting');
  t.equal(statOf(w, 'c')?.polls, 0);
  t.equal(s.eventSubscriptions(), 2, 'two alive on the camera');
  t.equal(s.eventCounts().CreatePullPointSubscription, 2);

  await w.unwatch('a');
  t.equal(s.eventCounts().Unsubscribe, 1, 'unwatch unsubscribed');
  t.equal(statOf(w, 'a'), undefined);
  await subscribed(w, 'c');
  t.equal(s.eventSubscriptions(), 2);
  s.setMotion(true);
  await until('b and c see motion', () => rs.b.calls.length === 1 && rs.c.calls.length === 1);
  t.same(rs.a.calls, [], 'the unwatched camera hears nothing');
});

t.test('close() unsubscribes everything; a replaced watch unsubscribes its old subscription', async (t) => {
  const s = await sim(t);
  const w = watcher(t);
  const r = recorder();
  w.watch('x', target(s), r.listener);
  w.watch('y', target(s), r.listener);
  w.start();
  await subscribed(w, 'x');
  await subscribed(w, 'y');
  w.watch('x', target(s), r.listener); // same id: replaces
  await until('old x unsubscribed, new x subscribed', () => s.eventCounts().Unsubscribe === 1 && statOf(w, 'x')?.state === 'subscribed');
  t.equal(s.eventSubscriptions(), 2);
  await w.close();
  t.equal(s.eventSubscriptions(), 0, 'no subscription left on the camera');
  t.equal(s.eventCounts().Unsubscribe, 3);
  t.same(w.stats(), []);
  t.throws(() => w.watch('z', target(s), r.listener), 'no new watches after close');
});

t.test('close() while CreatePullPointSubscription is in flight still leaves no subscription', async (t) => {
  let requests = 0;
  let closing: Promise<void> | null = null;
  const w = watcher(t);
  // Requests: GetSystemDateAndTime, GetCapabilities, then CreatePullPointSubscription, each held 300 ms.
  const s = await sim(t, { faults: { delayMs: 300 }, onRequest: () => void (++requests === 3 && (closing = w.close())) });
  w.watch('slow', target(s), () => {});
  w.start();
  await until('close() called during Create', () => closing !== null);
  await closing;
  t.equal(s.eventCounts().CreatePullPointSubscription, 1, 'the camera created one');
  t.equal(s.eventCounts().Unsubscribe, 1, 'and was told to drop it');
  t.equal(s.eventSubscriptions(), 0);
});

t.test('wrong password and no event service: classified failures, retried, nothing created', async (t) => {
  const s = await sim(t);
  const none = await sim(t, { events: false });
  const w = watcher(t);
  w.watch('badpw', target(s, 'wrong-password'), () => t.fail('no motion expected'));
  w.watch('noevents', target(none), () => t.fail('no motion expected'));
  w.start();
  await until('both failed twice', () => w.stats().every((x) => x.failures >= 2));
  t.equal(s.eventCounts().CreatePullPointSubscription, 0, 'WS-Security is checked before any event operation');
  t.match(logs.text, /"cameraId":"badpw".*"code":"ONVIF_UNAUTHORIZED"/);
  t.match(logs.text, /"cameraId":"noevents".*"code":"ONVIF_EVENTS_UNSUPPORTED"/);
});

t.test('hostile replies become clear errors; subscription addresses are re-pointed at the camera we reach', async (t) => {
  let answer: (res: http.ServerResponse) => void = () => {};
  const server = http.createServer((req, res) => void req.resume().on('end', () => answer(res)));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => (server.closeAllConnections(), server.close()));
  const tgt: PullPointTarget = { host: '127.0.0.1', port: (server.address() as AddressInfo).port, username: USER, password: PASSWORD };
  const events = `http://127.0.0.1:${tgt.port}/onvif/event_service`;
  const o = { timeoutMs: 500, maxReplyBytes: 64 * 1024 };
  const clock = { offsetMs: 0 };
  const expectCode = async (what: string, code: ErrorCode, reply: (res: http.ServerResponse) => void) => {
    answer = reply;
    const err = await createPullPoint(tgt, events, 60, clock, o).then(() => new Error('succeeded'), (e: Error) => e);
    t.ok(isMatThanError(err, code), `${what}: ${code} (got ${err.message})`);
    t.notMatch(err.message, PASSWORD, `${what}: no password in the error`);
  };
  const soap = (body: string) => `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${body}</s:Body></s:Envelope>`;
  await expectCode('huge', 'ONVIF_REPLY_TOO_LARGE', (res) => res.end(soap('x'.repeat(200_000))));
  await expectCode('garbage', 'ONVIF_NOT_ONVIF', (res) => res.end('<html><body>hello'));
  await expectCode('a DTD', 'ONVIF_NOT_ONVIF', (res) => res.end('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'));
  await expectCode('silence', 'ONVIF_UNREACHABLE', () => {});
  await expectCode('fault echoing the password', 'ONVIF_FAULT', (res) => res.writeHead(500).end(soap(
    `<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text>bad ${PASSWORD}</s:Text></s:Reason></s:Fault>`)));
  await expectCode('no address', 'ONVIF_NOT_ONVIF', (res) => res.end(soap('<CreatePullPointSubscriptionResponse/>')));
  await expectCode('no termination time', 'ONVIF_NOT_ONVIF', (res) => res.end(soap(
    '<CreatePullPointSubscriptionResponse><SubscriptionReference><Address>http://10.9.9.9/s/1</Address></SubscriptionReference></CreatePullPointSubscriptionResponse>')));

  answer = (res) => res.end(soap('<CreatePullPointSubscriptionResponse><SubscriptionReference><Address>http://10.9.9.9:8080/sub/7?x=1</Address>' +
    '<ReferenceParameters><SubscriptionId xmlns="http://www.axis.com/2009/event">42</SubscriptionId></ReferenceParameters></SubscriptionReference>' +
    '<CurrentTime>2020-01-01T00:00:00Z</CurrentTime><TerminationTime>2020-01-01T00:01:00Z</TerminationTime></CreatePullPointSubscriptionResponse>'));
  const sub = await createPullPoint(tgt, events, 60, clock, o);
  t.equal(sub.address, `http://127.0.0.1:${tgt.port}/sub/7?x=1`, 'NAT: camera path, our host:port');
  t.equal(sub.grantedMs, 60_000, 'granted by the camera clock');
  t.match(sub.referenceParameters, /<SubscriptionId xmlns="http:\/\/www.axis.com\/2009\/event" a:IsReferenceParameter="true">42<\/SubscriptionId>/);

  answer = (res) => res.end(soap('<GetCapabilitiesResponse><Capabilities><Events><XAddr>https://10.9.9.9/ev</XAddr></Events></Capabilities></GetCapabilitiesResponse>'));
  const err = await getEventsAddress(tgt, clock, o).catch((e: Error) => e);
  t.ok(isMatThanError(err, 'ONVIF_EVENTS_UNSUPPORTED'), 'an https events address is refused clearly');
});

t.test('credentials never logged', async (t) => {
  t.ok(logs.lines.length > 0);
  t.notMatch(logs.text, PASSWORD);
});
