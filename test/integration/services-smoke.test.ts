import t from 'tap';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { startMosquitto, startRedis } from '../helpers/services.js';

t.test('the test Redis and Mosquitto are real and restartable', async (t) => {
  const redis = await startRedis();
  const broker = await startMosquitto();
  t.teardown(async () => { await redis.stop(); await broker.stop(); });
  const r = new Redis(redis.url);
  t.equal(await r.ping(), 'PONG');
  r.disconnect();
  const c = await mqtt.connectAsync(broker.url);
  t.ok(c.connected);
  await c.endAsync();
  await broker.stop();
  await broker.start();
  const c2 = await mqtt.connectAsync(broker.url);
  t.ok(c2.connected, 'reachable again after restart');
  await c2.endAsync();
});
