// Keeps one CameraStream per camera; add and remove while running.

import type { CameraConfig, MotionConfig, StreamConfig } from '../config.js';
import { CameraStream, type CameraStreamDeps, type CameraStreamStats } from './camera-stream.js';

export class StreamSupervisor {
  readonly #streams = new Map<string, CameraStream>();
  readonly #motion: MotionConfig;
  readonly #stream: StreamConfig;
  readonly #deps: CameraStreamDeps;

  constructor(motion: MotionConfig, stream: StreamConfig, deps: CameraStreamDeps) {
    this.#motion = motion;
    this.#stream = stream;
    this.#deps = deps;
  }

  async add(camera: CameraConfig): Promise<void> {
    await this.remove(camera.id);
    const s = new CameraStream(camera, this.#motion, this.#stream, this.#deps);
    this.#streams.set(camera.id, s);
    await s.start();
  }

  async remove(cameraId: string): Promise<void> {
    const s = this.#streams.get(cameraId);
    if (!s) return;
    this.#streams.delete(cameraId);
    await s.close();
  }

  stats(): CameraStreamStats[] {
    return [...this.#streams.values()].map((s) => s.stats());
  }

  async close(): Promise<void> {
    const all = [...this.#streams.values()];
    this.#streams.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}
