// POST /api/cameras/test: "does this camera work?" before registering it. Probes ONVIF (through the
// registry's limiter) or takes an RTSP URL, then grabs one JPEG of the stream with ffmpeg. Nothing is
// saved; credentials go to the camera only, never into an answer, the audit log or a log line.
// Rate-limited per account: each test spawns an ffmpeg.

import type { FastifyPluginAsync } from 'fastify';
import { LoginThrottle } from '../auth/login-throttle.js';
import { injectCredentials, probeSummary, splitCredentials } from '../cameras/camera-model.js';
import type { CameraRegistry, OnvifTarget } from '../cameras/camera-registry.js';
import { validateRtspUrl } from '../cameras/camera-url.js';
import { MatThanError } from '../errors.js';
import { grabJpegFrame } from '../streams/frame-grab.js';
import { onvifTargetSchema, rtspUrlSchema } from './cameras.routes.js';

export interface CameraTestRoutesDeps {
  registry: CameraRegistry;
  ffmpeg: { path: string; major: number };
  /** Tests per account per minute (default 6). */
  cameraTestsPerMinute?: number;
  /** Deadline of the frame grab, connection included (default 15 s). */
  cameraTestTimeoutMs?: number;
}

const body = { type: 'object', additionalProperties: false, properties: { onvif: onvifTargetSchema, rtspUrl: rtspUrlSchema } } as const;
type TestBody = { onvif?: OnvifTarget; rtspUrl?: string };

export const cameraTestRoutes: FastifyPluginAsync<CameraTestRoutesDeps> = async (app, deps) => {
  const throttle = new LoginThrottle(deps.cameraTestsPerMinute ?? 6);
  const grab = (url: string) => grabJpegFrame(url, { ffmpegPath: deps.ffmpeg.path, ffmpegMajor: deps.ffmpeg.major, timeoutMs: deps.cameraTestTimeoutMs ?? 15_000 });

  /** The stream to grab (credentials in it) and what to tell about it (none). */
  async function target(b: TestBody): Promise<{ streamUrl: string; probe: Record<string, unknown> }> {
    if (b.rtspUrl !== undefined) {
      const url = validateRtspUrl('test', b.rtspUrl);
      return { streamUrl: url, probe: { rtspUrl: splitCredentials(url).url } };
    }
    const onvif = b.onvif as OnvifTarget;
    const result = await deps.registry.probeOnly(onvif);
    // The stream URI comes from the device: untrusted, it must be an RTSP URL like any other.
    const clean = splitCredentials(validateRtspUrl('test', result.detection.rtspUrl)).url;
    const creds = onvif.username !== undefined || onvif.password !== undefined ? { username: onvif.username ?? '', password: onvif.password ?? '' } : null;
    const { profileToken, width, height } = result.detection;
    return { streamUrl: injectCredentials(clean, creds), probe: { ...probeSummary(result), stream: { profileToken, rtspUrl: clean, width, height } } };
  }

  app.post<{ Body: TestBody }>(
    '/api/cameras/test',
    { bodyLimit: 16 * 1024, config: { access: 'cameras:manage', audit: 'cameras.test' }, schema: { body, tags: ['cameras'] } },
    async (req) => {
      const b = req.body;
      if ((b.onvif === undefined) === (b.rtspUrl === undefined)) throw new MatThanError('VALIDATION_FAILED', 'give exactly one of onvif or rtspUrl');
      req.auditDetail = b.onvif ? { onvif: { host: b.onvif.host, port: b.onvif.port ?? 80 } } : { rtsp: true };
      if (throttle.take(req.viewer?.userId ?? req.ip) > 0) throw new MatThanError('CAMERA_TEST_RATE_LIMITED');
      const { streamUrl, probe } = await target(b);
      const frame = await grab(streamUrl);
      req.auditCount = 1;
      return { probe, snapshot: `data:image/jpeg;base64,${frame.jpeg.toString('base64')}`, width: frame.width, height: frame.height };
    },
  );
};
