// bench:pipeline's MQTT subscriber, in its own process as a real consumer of the alerts would be: it
// subscribes to `<prefix>/events` with QoS 1 and reports, in batches over IPC, when each `new` event
// arrived (wall-clock ms), plus its own CPU time, so the bench counts its cost without running it on
// the pipeline's event loop.
//   argv: <mqtt url> <topic>
//   to the parent: { ready: true } once subscribed; { receipts: [id, ms][] } every 20 ms while events arrive;
//   { cpuMs } in answer to 'cpu' (after sending what it received so far).

import mqtt from 'mqtt';

const [url, topic] = process.argv.slice(2) as [string, string];
const BATCH_MS = 20;
let pending: Array<[string, number]> = [];

const client = await mqtt.connectAsync(url, { clientId: `bench-sub-${process.pid}` });
client.on('message', (_topic, payload) => {
  const m = JSON.parse(payload.toString()) as { type: string; event: { id: string } };
  if (m.type === 'new') pending.push([m.event.id, performance.timeOrigin + performance.now()]);
});
await client.subscribeAsync(topic, { qos: 1 });

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const flush = () => {
  if (pending.length === 0) return;
  process.send?.({ receipts: pending });
  pending = [];
};
const timer = setInterval(flush, BATCH_MS);
process.on('message', (m) => {
  if (m !== 'cpu') return;
  flush();
  process.send?.({ cpuMs: cpuMs() });
});
process.send?.({ ready: true });

process.on('disconnect', () => {
  clearInterval(timer);
  void client.endAsync().finally(() => process.exit(0));
});
