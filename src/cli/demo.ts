// Demo cameras, onboarded the way a real one is: the RTSP simulator serves three scenes with someone
// walking by now and then, each camera gets its own ONVIF simulator (GetStreamUri → its RTSP mount,
// behind a password), and the registry probes and registers them over ONVIF.

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CameraRegistry } from '../cameras/camera-registry.js';
import { newSecretKey } from '../cameras/credential-cipher.js';
import { isMatThanError } from '../errors.js';
import type { Logger } from '../logger.js';
import { startOnvifSimulator, type OnvifSimulator } from '../sim/onvif-simulator.js';
import { startRtspSimulator } from '../sim/rtsp-simulator.js';

const DEMO = [
  { id: 'cong-lang', name: 'Cổng làng (village gate)', zone: 'cong-lang', householdId: null, shareWithOfficers: true },
  { id: 'nha-van-hoa', name: 'Nhà văn hoá (community hall)', zone: 'trung-tam', householdId: null, shareWithOfficers: true },
  // A household camera whose owner has not shared it: its alerts go to the household's topic only.
  { id: 'ngo-3', name: 'Ngõ 3 (lane 3)', zone: 'xom-dong', householdId: 'ho-17', shareWithOfficers: false },
];

export interface DemoCameras {
  /** Registers every demo camera through the ONVIF probe path (replacing a previous run's entry). */
  onboard(registry: CameraRegistry): Promise<void>;
  close(): Promise<void>;
}

/** The demo keeps its key next to its data, so its encrypted credentials survive a restart. */
export function demoSecretKey(dataDir: string): string {
  const file = path.join(dataDir, 'secret.key');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dataDir, { recursive: true });
    const key = newSecretKey();
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
}

export async function startDemoCameras(logger: Logger): Promise<DemoCameras> {
  const rtsp = await startRtspSimulator({ cameras: DEMO.map((c) => c.id), crossEverySec: 20 });
  const password = randomBytes(9).toString('base64url');
  const onvif: OnvifSimulator[] = [];
  try {
    for (const c of DEMO) {
      const url = new URL(rtsp.url(c.id));
      url.username = 'demo';
      url.password = password;
      onvif.push(await startOnvifSimulator({ username: 'demo', password, rtspUrl: url.toString() }));
    }
  } catch (err) {
    await Promise.all(onvif.map((s) => s.close()));
    await rtsp.stop();
    throw err;
  }
  logger.info({ rtspPort: rtsp.port, onvifPorts: onvif.map((s) => s.port) }, 'demo RTSP and ONVIF cameras started');
  return {
    async onboard(registry) {
      for (const [i, c] of DEMO.entries()) {
        await registry.remove(c.id).catch((err: unknown) => { if (!isMatThanError(err, 'CAMERA_NOT_FOUND')) throw err; });
        await registry.add({ ...c, onvif: { host: '127.0.0.1', port: onvif[i]!.port, username: 'demo', password } });
      }
    },
    async close() {
      await Promise.all(onvif.map((s) => s.close()));
      await rtsp.stop();
    },
  };
}
