// Demo cameras: the RTSP simulator with three cameras whose scenes have someone walking by now and then.

import type { CameraConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { startRtspSimulator } from '../sim/rtsp-simulator.js';

const DEMO = [
  { id: 'cong-lang', name: 'Cổng làng (village gate)', zone: 'cong-lang', householdId: null, shareWithOfficers: true },
  { id: 'nha-van-hoa', name: 'Nhà văn hoá (community hall)', zone: 'trung-tam', householdId: null, shareWithOfficers: true },
  // A household camera whose owner has not shared it: its alerts go to the household's topic only.
  { id: 'ngo-3', name: 'Ngõ 3 (lane 3)', zone: 'xom-dong', householdId: 'ho-17', shareWithOfficers: false },
];

export async function startDemoCameras(logger: Logger): Promise<{ cameras: CameraConfig[]; close: () => Promise<void> }> {
  const sim = await startRtspSimulator({ cameras: DEMO.map((c) => c.id), crossEverySec: 20 });
  logger.info({ port: sim.port, cameras: DEMO.length }, 'demo RTSP cameras started');
  return {
    cameras: DEMO.map((c) => ({ ...c, rtspUrl: sim.url(c.id) })),
    close: () => sim.stop(),
  };
}
