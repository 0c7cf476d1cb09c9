// One whole service per e2e test file: its own Redis, Mosquitto, RTSP simulator and the service
// in-process (test/helpers/harness.ts), accounts for the roles the file needs, and a Chromium.

import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import type { Role } from '../../src/auth/viewer.js';
import { startRtspSimulator, type RtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { startHarness, type CameraInput, type Harness } from './harness.js';
import { startMosquitto, startRedis } from './services.js';
import { launchChromium } from './browser.js';

export interface Account { username: string; password: string }

export interface Stack {
  h: Harness;
  sim: RtspSimulator;
  browser: Browser;
  baseURL: string;
  account(username: string, role: Role, householdId?: string): Promise<Account>;
  close(): Promise<void>;
}

export async function startStack(opts: { simCameras: string[]; cameras: (sim: RtspSimulator) => CameraInput[]; overrides?: Record<string, unknown> }): Promise<Stack> {
  const browser = await launchChromium();
  const redis = await startRedis();
  const broker = await startMosquitto();
  const sim = await startRtspSimulator({ cameras: opts.simCameras });
  const h = await startHarness({ redisUrl: redis.url, mqttUrl: broker.url, cameras: opts.cameras(sim), overrides: opts.overrides });
  return {
    h, sim, browser, baseURL: h.service.publicUrl,
    async account(username, role, householdId) {
      const password = randomBytes(12).toString('base64url');
      await h.service.accounts.create({ username, role, password, ...(householdId ? { householdId } : {}) });
      return { username, password };
    },
    async close() {
      await browser.close();
      await h.close();
      await sim.stop();
      await redis.stop();
      await broker.stop();
    },
  };
}
