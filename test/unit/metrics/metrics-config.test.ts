import os from 'node:os';
import { Writable } from 'node:stream';
import t from 'tap';
import { buildConfig, loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { metricsEndpoint, nodeName, serviceMetrics } from '../../../src/metrics/metrics-endpoint.js';

t.test('metrics are off by default; a token from the environment turns them on', async (t) => {
  const plain = loadConfig({ env: {} });
  t.same(plain.metrics, { enabled: false, token: null, cacheMs: 5000 });
  t.equal(plain.nodeId, null);
  t.equal(nodeName(plain), os.hostname(), 'the host name names the node');
  const token = 'x'.repeat(16);
  const fromEnv = loadConfig({ env: { MATTHAN_METRICS_TOKEN: token, MATTHAN_NODE_ID: 'ingest-2' } });
  t.same(fromEnv.metrics, { enabled: true, token, cacheMs: 5000 });
  t.equal(nodeName(fromEnv), 'ingest-2');
});

t.test('weak or odd tokens and node ids are refused at start, naming the field', async (t) => {
  t.throws(() => buildConfig({ metrics: { token: 'short' } }), { code: 'CONFIG_INVALID', message: /metrics\.token/ });
  t.throws(() => buildConfig({ metrics: { token: 'has spaces in it, sixteen+' } }), { code: 'CONFIG_INVALID' });
  t.throws(() => buildConfig({ nodeId: 'ingest 1' }), { code: 'CONFIG_INVALID', message: /nodeId/ });
  t.throws(() => buildConfig({ metrics: { enabeld: true } }), { message: /metrics\.enabeld is not a known setting/ });
});

t.test('the endpoint exists only when enabled; an open one on a public address is warned about', async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ level: 'warn', destination: new Writable({ write(c: Buffer, _e, done) { lines.push(c.toString()); done(); } }) });
  const m = serviceMetrics(buildConfig({ nodeId: 'n1' }));
  t.equal(metricsEndpoint(buildConfig({}), m, logger), undefined);
  const open = metricsEndpoint(buildConfig({ metrics: { enabled: true } }), m, logger);
  t.equal(open?.token, null);
  t.match(lines.join(''), /\/metrics has no token/);
  lines.length = 0;
  metricsEndpoint(buildConfig({ host: '127.0.0.1', metrics: { enabled: true } }), m, logger);
  metricsEndpoint(buildConfig({ metrics: { enabled: true, token: 'y'.repeat(20) } }), m, logger);
  t.same(lines, [], 'loopback, or a token: nothing to warn about');
  t.match(await open?.text(), /matthan_node_cameras\{node="n1"\} 0|matthan_events_total\{type="motion",node="n1"\} 0/);
});

t.test('MQTT_CLIENT_ID gives each node its own MQTT session, with or without MQTT_URL', async (t) => {
  t.equal(loadConfig({ env: { MQTT_CLIENT_ID: 'mat-than-ingest-1' } }).mqtt.clientId, 'mat-than-ingest-1');
  const both = loadConfig({ env: { MQTT_CLIENT_ID: 'w', MQTT_URL: 'mqtt://127.0.0.1:1883' } }).mqtt;
  t.same([both.clientId, both.url], ['w', 'mqtt://127.0.0.1:1883']);
  t.equal(loadConfig({ env: { MQTT_URL: 'mqtt://127.0.0.1:1883' } }).mqtt.clientId, 'mat-than', 'default kept');
});
