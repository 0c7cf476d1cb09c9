// Onboarding a village: 190 ONVIF cameras (in-process simulators on loopback) registered and probed
// through the camera registry, with the configured concurrency cap. Reports wall time, failures and
// the most ONVIF requests ever in flight at the simulators, against the cap.
//   npm run bench:onboard [-- --cameras 190 --concurrency 16 --latency-ms 20]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CameraRegistry } from '../src/cameras/camera-registry.js';
import { CredentialCipher, newSecretKey } from '../src/cameras/credential-cipher.js';
import { buildConfig } from '../src/config.js';
import { CamerasRepository } from '../src/db/cameras.repository.js';
import { Database } from '../src/db/database.js';
import { createLogger } from '../src/logger.js';
import { startOnvifSimulator, type OnvifSimulator } from '../src/sim/onvif-simulator.js';

const { values: v } = parseArgs({ options: { cameras: { type: 'string' }, concurrency: { type: 'string' }, 'latency-ms': { type: 'string' } } });
const CAMERAS = Number(v.cameras ?? 190);
const onboarding = buildConfig({ onboarding: v.concurrency ? { concurrency: Number(v.concurrency) } : {} }).onboarding;
/** Per-reply delay at each simulator: real cameras take a while to answer, so requests overlap. */
const LATENCY_MS = Number(v['latency-ms'] ?? 20);
const PASSWORD = 'bench-pw';

let inFlight = 0;
let maxInFlight = 0;
let requests = 0;
const count = (_req: unknown, res: { once(e: 'close', f: () => void): void }) => {
  requests++;
  maxInFlight = Math.max(maxInFlight, ++inFlight);
  res.once('close', () => inFlight--);
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-bench-onboard-'));
const db = new Database(path.join(dir, 'bench.db'));
const sims: OnvifSimulator[] = [];
try {
  await db.start();
  for (let i = 0; i < CAMERAS; i++) {
    sims.push(await startOnvifSimulator({
      username: 'admin', password: PASSWORD, rtspUrl: `rtsp://127.0.0.1:8554/cam${i}/{profile}`, onRequest: count, faults: { delayMs: LATENCY_MS },
    }));
  }
  const registry = new CameraRegistry({
    repo: new CamerasRepository(db.db), cipher: new CredentialCipher(newSecretKey()), logger: createLogger({ level: 'warn' }), onboarding,
  });
  let streams = 0;
  registry.onChange(async (c) => { if (c.camera) streams++; });

  const started = performance.now();
  const results = await Promise.allSettled(sims.map((s, i) => registry.add({
    id: `cam${i}`, name: `Camera ${i}`, zone: `zone${i % 12}`, onvif: { host: '127.0.0.1', port: s.port, username: 'admin', password: PASSWORD },
  })));
  const wallMs = performance.now() - started;
  const failed = results.filter((r) => r.status === 'rejected');
  const online = (await registry.list()).filter((r) => r.status === 'online').length;

  console.log(`cameras            ${CAMERAS} (in-process ONVIF simulators, ${LATENCY_MS} ms reply latency)`);
  console.log(`wall time          ${(wallMs / 1000).toFixed(2)} s`);
  console.log(`registered online  ${online}; streams announced ${streams}`);
  console.log(`failed             ${failed.length}${failed.length ? ` (first: ${(failed[0] as PromiseRejectedResult).reason})` : ''}`);
  console.log(`ONVIF requests     ${requests} (${(requests / CAMERAS).toFixed(1)} per camera)`);
  console.log(`max in flight      ${maxInFlight} (cap onboarding.concurrency = ${onboarding.concurrency}) ${maxInFlight <= onboarding.concurrency ? 'OK' : 'ABOVE CAP'}`);
  const ok = failed.length === 0 && online === CAMERAS && wallMs < 60_000 && maxInFlight <= onboarding.concurrency;
  console.log(ok ? 'PASS: all registered, under 60 s, never above the cap' : 'FAIL');
  process.exitCode = ok ? 0 : 1;
} finally {
  await Promise.all(sims.map((s) => s.close()));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
