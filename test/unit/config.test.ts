import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { buildConfig, DEFAULT_CONFIG_FILE, loadConfig } from '../../src/config.js';
import { MatThanError } from '../../src/errors.js';

const cam = (over: Record<string, unknown> = {}) => ({ id: 'cam1', rtspUrl: 'rtsp://10.0.0.5:554/s1', ...over });

t.test('defaults fill an empty config', async (t) => {
  const c = buildConfig({});
  t.equal(c.port, 8080);
  t.equal(c.mqtt.topicPrefix, 'matthan');
  t.equal(c.motion.fps, 5);
  t.same(c.cameras, []);
});

t.test('camera name and zone default', async (t) => {
  const c = buildConfig({ cameras: [cam()] });
  t.match(c.cameras[0], { id: 'cam1', name: 'cam1', zone: 'default' });
});

for (const url of ['file:///etc/passwd', 'http://10.0.0.5/video', 'concat:a.ts|b.ts', 'rtsp://', 'rtsp:///nohost', 'subfile,,start,0,end,0,,:rtsp://x', 'rtsp://h/a b']) {
  t.test(`camera URL ${JSON.stringify(url)} is refused, naming the camera`, async (t) => {
    const err = t.throws(() => buildConfig({ cameras: [cam({ id: 'gate-2', rtspUrl: url })] })) as MatThanError;
    t.equal(err.code, 'CONFIG_INVALID');
    t.match(err.message, /gate-2/);
    t.match(err.message, /cameras\.0/);
  });
}

t.test('rtsps:// is allowed', async (t) => {
  t.equal(buildConfig({ cameras: [cam({ rtspUrl: 'rtsps://u:p@cam.local:322/main' })] }).cameras[0]?.rtspUrl, 'rtsps://u:p@cam.local:322/main');
});

t.test('errors name the bad field', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [{ port: 70000 }, /^.*port must be <= 65535/],
    [{ motion: { fps: 'fast' } }, /motion\.fps must be number/],
    [{ mqtt: { topicPrefix: 'a/#' } }, /mqtt\.topicPrefix must match/],
    [{ cameras: [cam({ id: 'bad id' })] }, /cameras\.0\.id must match/],
    [{ cameras: [cam(), cam()] }, /cameras\.1\.id 'cam1' is used twice/],
    [{ motoin: {} }, /motoin is not a known setting/],
    [{ cameras: [{ id: 'x' }] }, /must have required property 'rtspUrl'/],
  ];
  for (const [raw, re] of cases) {
    const err = t.throws(() => buildConfig(raw)) as MatThanError;
    t.equal(err.code, 'CONFIG_INVALID');
    t.match(err.message, re);
  }
});

t.test('file, then env, then overrides', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-config-'));
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, 'port: 9000\nmqtt:\n  topicPrefix: village\ncameras:\n  - id: gate\n    rtspUrl: rtsp://10.1.1.1/s\n');
  const c = loadConfig({ env: { MATTHAN_CONFIG: file, PORT: '9100', REDIS_URL: 'redis://127.0.0.1:6390', DATA_DIR: dir } });
  t.equal(c.port, 9100, 'env beats file');
  t.equal(c.mqtt.topicPrefix, 'village', 'file beats default');
  t.equal(c.mqtt.embeddedPort, 1883, 'untouched nested default kept');
  t.equal(c.redisUrl, 'redis://127.0.0.1:6390');
  t.equal(c.dataDir, dir);
  t.equal(c.cameras[0]?.id, 'gate');
  const bad = t.throws(() => loadConfig({ env: { PORT: 'eighty' } })) as MatThanError;
  t.match(bad.message, /port must be integer/);
  const missing = t.throws(() => loadConfig({ env: { MATTHAN_CONFIG: path.join(dir, 'nope.yaml') } })) as MatThanError;
  t.match(missing.message, /cannot read .*nope\.yaml/);
  writeFileSync(file, 'port: [1\n');
  t.throws(() => loadConfig({ env: { MATTHAN_CONFIG: file } }), { code: 'CONFIG_INVALID' });
});

t.test('the shipped config/default.yaml spells out every built-in default', async (t) => {
  // Compared raw, before defaults are filled in, so a setting missing from the file is caught.
  const raw = parseYaml(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as Record<string, unknown>;
  t.same(raw, buildConfig({}));
  t.same(loadConfig({ env: {} }), { ...buildConfig({}), dataDir: path.resolve('./data') });
});

t.test('analysis: patrol by default; a camera may override it; bad values name the field', async (t) => {
  const c = buildConfig({ cameras: [cam({ motion: { analysis: 'full' } }), cam({ id: 'cam2' })] });
  t.equal(c.analysis.mode, 'patrol');
  t.equal(c.cameras[0]?.motion?.analysis, 'full');
  t.equal(c.cameras[1]?.motion, undefined);
  t.match((t.throws(() => buildConfig({ analysis: { mode: 'fast' } })) as MatThanError).message, /analysis\.mode/);
  t.match((t.throws(() => buildConfig({ cameras: [cam({ motion: { analysis: 'keyframes' } })] })) as MatThanError).message, /cameras\.0.*analysis/);
});
