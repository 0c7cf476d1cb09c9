// Keeps one CameraStream per camera; add and remove while running. Cameras in `camera` or `hybrid`
// mode, or patrolling keyframes, also get the camera's own ONVIF motion events, fed into their stream.

import type { CameraConfig, MotionConfig, StreamConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { CameraEventTarget } from '../onvif/camera-event-watcher.js';
import { CameraStream, type CameraStreamDeps, type CameraStreamStats } from './camera-stream.js';
import { SnapshotEncoder } from './snapshot-encoder.js';
import { ffmpegStarts } from './start-gate.js';

/** The camera-side motion source (ONVIF PullPoint subscriptions): what the supervisor needs of it. */
export interface CameraMotionSource {
  watch(cameraId: string, target: CameraEventTarget, listener: (active: boolean, at: number) => void): void;
  unwatch(cameraId: string): Promise<void>;
}

export interface StreamSupervisorDeps extends CameraStreamDeps {
  cameraMotion?: CameraMotionSource;
  /** A stream starts watching the camera (added, or started again with a new config), at `since`. */
  onWatch?: (camera: CameraConfig, since: number) => void;
  /** The camera is no longer watched here (removed: deleted, or handed to another node), since `at`. */
  onUnwatch?: (camera: CameraConfig, at: number) => void;
}

/**
 * A new overload level reaches the cameras that must swap their ffmpeg for it (full decoding at a new
 * rate) one at a time, this far apart: each swap is make-before-break, so briefly two, and swapping
 * them all at once would double the load exactly when the box is short of CPU. Patrolling cameras (most
 * of them) change their rate in place, at once: staggering those too had 190 cameras take three
 * minutes to slow down, during which the guard could not judge the level.
 */
const LEVEL_STAGGER_MS = 1000;

export class StreamSupervisor {
  readonly #streams = new Map<string, CameraStream>();
  readonly #motion: MotionConfig;
  readonly #stream: StreamConfig;
  readonly #deps: StreamSupervisorDeps;
  readonly #log: Logger;
  /** Encodes the frames events ask for into JPEGs, for every camera. */
  readonly #encoder: SnapshotEncoder;
  #level = 0;
  #levelTimers = new Set<NodeJS.Timeout>();

  constructor(motion: MotionConfig, stream: StreamConfig, deps: StreamSupervisorDeps) {
    this.#motion = motion;
    this.#stream = stream;
    this.#deps = deps;
    this.#log = deps.logger;
    this.#encoder = new SnapshotEncoder({ ffmpegPath: stream.ffmpegPath, snapshotWidth: stream.snapshotWidth, thumbnailWidth: stream.thumbnailWidth, logger: deps.logger });
  }

  async add(camera: CameraConfig): Promise<void> {
    // A new config for a watched camera: the new stream carries on with the events open (onWatch keeps them).
    await this.#stop(camera.id);
    const effective = this.#withUsableMode(camera);
    const s = new CameraStream(effective, this.#motion, this.#stream, this.#deps, this.#encoder);
    this.#streams.set(camera.id, s);
    s.setOverloadLevel(this.#level);
    this.#deps.onWatch?.(camera, (this.#deps.now ?? Date.now)());
    await s.start();
    // Camera events gate camera/hybrid modes, and escalate a patrolling camera to full decoding.
    const mode = effective.motion?.mode ?? 'server';
    const patrols = (effective.motion?.analysis ?? this.#deps.analysis?.mode) === 'patrol';
    if ((mode !== 'server' || patrols) && effective.onvif && this.#deps.cameraMotion) {
      this.#deps.cameraMotion.watch(camera.id, effective.onvif, (active, at) => s.cameraMotion(active, at));
    }
  }

  async remove(cameraId: string): Promise<void> {
    const camera = await this.#stop(cameraId);
    if (camera) this.#deps.onUnwatch?.(camera, (this.#deps.now ?? Date.now)());
  }

  async #stop(cameraId: string): Promise<CameraConfig | null> {
    const s = this.#streams.get(cameraId);
    if (!s) return null;
    this.#streams.delete(cameraId);
    await this.#deps.cameraMotion?.unwatch(cameraId);
    await s.close();
    return s.camera;
  }

  /** The camera's own motion state, by camera id (unknown ids are ignored). */
  cameraMotion(cameraId: string, active: boolean, at: number): void {
    this.#streams.get(cameraId)?.cameraMotion(active, at);
  }

  stats(): CameraStreamStats[] {
    return [...this.#streams.values()].map((s) => s.stats());
  }

  /** Every ffmpeg process id running now: the cameras' (two for a camera that swaps modes) and the snapshot encoders. */
  pids(): number[] {
    return [...[...this.#streams.values()].flatMap((s) => s.pids()), ...this.#encoder.pids()];
  }

  /** True while a new overload level is still reaching the cameras. */
  get applyingLevel(): boolean {
    return this.#levelTimers.size > 0;
  }

  /**
   * True while ffmpeg runs start in a wave: starts queue at the service-wide gate (the service
   * starting, cameras back after a power cut). Not merely every slot taken: cameras that cannot come
   * up (a dead host holds its slot for the RTSP timeout, every back-off) can keep the gate full for
   * good, and the overload guard, which judges nothing during a wave, would never act again.
   */
  get startWave(): boolean {
    return ffmpegStarts.waiting > 0;
  }

  /** Applies an overload level (overload-guard.ts) to every camera: in place at once, swaps staggered so they do not pile up. */
  setOverloadLevel(level: number): void {
    this.#level = level;
    for (const t of this.#levelTimers) clearTimeout(t);
    this.#levelTimers.clear();
    let swaps = 0;
    for (const s of this.#streams.values()) {
      if (!s.levelRespawns(level)) {
        s.setOverloadLevel(level);
        continue;
      }
      const timer = setTimeout(() => {
        this.#levelTimers.delete(timer);
        s.setOverloadLevel(this.#level);
      }, swaps++ * LEVEL_STAGGER_MS);
      timer.unref();
      this.#levelTimers.add(timer);
    }
  }

  async close(): Promise<void> {
    for (const t of this.#levelTimers) clearTimeout(t);
    this.#levelTimers.clear();
    const all = [...this.#streams.entries()];
    this.#streams.clear();
    await Promise.all(all.map(async ([id, s]) => {
      await this.#deps.cameraMotion?.unwatch(id);
      await s.close();
    }));
    // After the cameras: an episode's last snapshot may still be encoding.
    await this.#encoder.close();
  }

  /**
   * Camera-side events are never the only source: a camera without an ONVIF address (or with no
   * event source running) cannot send them, so its `camera`/`hybrid` mode falls back to `server`.
   */
  #withUsableMode(camera: CameraConfig): CameraConfig {
    const mode = camera.motion?.mode ?? 'server';
    if (mode === 'server' || (camera.onvif && this.#deps.cameraMotion)) return camera;
    this.#log.warn({ cameraId: camera.id, mode }, 'camera has no ONVIF event source; analysing it in server mode');
    return { ...camera, motion: { ...camera.motion!, mode: 'server' } };
  }
}
