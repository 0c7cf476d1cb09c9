// Node wrapper around tools/sim/rtsp-sim.py: a GStreamer RTSP server with one synthetic
// live camera per mount, and/or recorded H.264 clips (one mount per clip, each client
// plays the file from its start in real time). Protocol (line based): stdin
// `cross <id> [seconds]` | `freeze <id> [seconds]` | `unfreeze <id>` | `cover <id> [seconds]` |
// `uncover <id>` | `quit`; stdout `ready <port>` | `crossing-start <id>` | `crossing-end <id>` |
// `frozen <id>` | `unfrozen <id>` | `covered <id>` | `uncovered <id>` | `media-up <id>` |
// `media-down <id>` | `error <text>` | `clip-start <id> <unix-ms>` | `clip-end <id>`.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort } from '../free-port.js';

export interface RtspSimulatorOptions {
  /** Synthetic live cameras (may be empty when clips are given). */
  cameras: string[];
  /** Recorded clips: mount id → path of an H.264 .mkv/.mp4 file. */
  clips?: Record<string, string>;
  /**
   * Serve clip mounts of the same file from this many shared playbacks instead of one per client
   * (load tests: cheap streams; clip-start/clip-end then come once per shared playback).
   */
  shareClips?: number;
  /** 0 or undefined = pick a free loopback port */
  port?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Frames per keyframe interval of the live cameras (default: fps, one keyframe a second). */
  gop?: number;
  crossEverySec?: number;
  /** How long to wait for `ready` (default 15 s; many mounts on a busy box take longer). */
  readyTimeoutMs?: number;
  /** default '/usr/bin/python3' (it must see the python3-gi bindings) */
  python?: string;
}

export interface RtspSimulator {
  readonly port: number;
  /** The simulator process's id while it runs. */
  readonly pid: number | undefined;
  /** rtsp://127.0.0.1:<port>/<id> */
  url(cameraId: string): string;
  /** Starts a crossing now; resolves when the object has left the frame. */
  cross(cameraId: string, seconds?: number): Promise<void>;
  /**
   * Freezes the picture (no noise, no movement: what a hung encoder sends); resolves once it is frozen.
   * With `seconds` it unfreezes by itself after that long.
   */
  freeze(cameraId: string, seconds?: number): Promise<void>;
  unfreeze(cameraId: string): Promise<void>;
  /** Shows a uniform black picture (the lens covered); resolves once it shows. With `seconds`, uncovers after that long. */
  cover(cameraId: string, seconds?: number): Promise<void>;
  uncover(cameraId: string): Promise<void>;
  /** Resolves at the next crossing start on that camera (manual or automatic). */
  crossingStarted(cameraId: string): Promise<void>;
  /**
   * Clip mounts: wall-clock times (epoch ms) at which a playback's first frame was sent,
   * one per client playback so far, oldest first.
   */
  clipStarts(clipId: string): readonly number[];
  /** Resolves with the epoch ms of the next playback start of that clip. */
  clipStarted(clipId: string): Promise<number>;
  /** Resolves when a playback of that clip reaches its end. */
  clipEnded(clipId: string): Promise<void>;
  /** Asks the simulator to quit (SIGTERM/SIGKILL fallback); resolves once it exited. */
  stop(): Promise<void>;
  /** (Re)starts on the same port after stop(); resolves once it listens. */
  start(): Promise<void>;
}

// Both src/sim/ and dist/sim/ are two levels below the repository root.
const SCRIPT = fileURLToPath(new URL('../../tools/sim/rtsp-sim.py', import.meta.url));
const APT_PACKAGES =
  'python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base ' +
  'gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly';
const CAMERA_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const EXIT_DEPS = 3; // rtsp-sim.py exit code for missing gi bindings / GStreamer plugins
const READY_TIMEOUT_MS = 15_000;
const QUIT_GRACE_MS = 3_000;
const TERM_GRACE_MS = 2_000;

type Step = (kind: string, arg: string) => boolean;
interface Waiter {
  step: Step;
  resolve(): void;
  reject(err: Error): void;
}

class ProcessRtspSimulator implements RtspSimulator {
  readonly #opts: RtspSimulatorOptions;
  readonly #python: string;
  readonly #waiters = new Set<Waiter>();
  readonly #clipStarts = new Map<string, number[]>();
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stderr = '';
  /** Why the last child went away, for callers that ask after it did. */
  #lastExit = '';

  constructor(
    readonly port: number,
    opts: RtspSimulatorOptions,
  ) {
    this.#opts = opts;
    this.#python = opts.python ?? '/usr/bin/python3';
  }

  url(cameraId: string): string {
    return `rtsp://127.0.0.1:${this.port}/${cameraId}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    if (this.#child) return;
    try {
      await access(this.#python, constants.X_OK);
    } catch {
      throw new Error(`RTSP simulator needs ${this.#python}; install: apt-get install python3 ${APT_PACKAGES}`);
    }
    const o = this.#opts;
    const args = [SCRIPT, '--port', String(this.port)];
    if (o.cameras.length > 0) args.push('--cameras', o.cameras.join(','));
    if (o.width !== undefined) args.push('--width', String(o.width));
    if (o.height !== undefined) args.push('--height', String(o.height));
    if (o.fps !== undefined) args.push('--fps', String(o.fps));
    if (o.gop !== undefined) args.push('--gop', String(o.gop));
    if (o.crossEverySec !== undefined) args.push('--cross-every', String(o.crossEverySec));
    for (const [id, file] of Object.entries(o.clips ?? {})) args.push('--clip', `${id}=${file}`);
    if (o.shareClips !== undefined) args.push('--share-clips', String(o.shareClips));

    const child = spawn(this.#python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    this.#stderr = '';
    child.stdin.on('error', () => {}); // EPIPE after the process died surfaces via 'close'
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => this.#dispatch(line));

    this.#exited = new Promise<void>((resolve) => {
      let done = false;
      const finish = (why: string) => {
        if (done) return;
        done = true;
        if (this.#child === child) this.#child = undefined;
        const err = new Error(`RTSP simulator ${why}${this.#stderrTail()}`);
        this.#lastExit = err.message;
        for (const w of this.#waiters) w.reject(err);
        this.#waiters.clear();
        resolve();
      };
      child.once('error', (err) => finish(`failed to run ${this.#python}: ${err.message}`));
      // 'close' rather than 'exit' so the stderr tail is complete in the error.
      child.once('close', (code, signal) =>
        finish(
          code === EXIT_DEPS
            ? 'is missing dependencies'
            : `exited (${signal ?? `code ${code}`})`,
        ),
      );
    });

    try {
      await this.#expect((kind, arg) => kind === 'ready' && arg === String(this.port), this.#opts.readyTimeoutMs ?? READY_TIMEOUT_MS, 'ready');
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return this.#exited;
    child.stdin?.end('quit\n');
    const escalate = (signal: NodeJS.Signals, ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          if (this.#child === child) child.kill(signal);
          resolve();
        }, ms);
        void this.#exited.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    await escalate('SIGTERM', QUIT_GRACE_MS);
    await escalate('SIGKILL', TERM_GRACE_MS);
    return this.#exited;
  }

  async cross(cameraId: string, seconds?: number): Promise<void> {
    this.#checkCamera(cameraId);
    if (seconds !== undefined && !(seconds > 0 && seconds < 3600)) {
      throw new RangeError(`crossing seconds must be in (0, 3600), got ${seconds}`);
    }
    let started = false;
    // Wait for a start *then* an end: an end of an earlier crossing must not count.
    const done = this.#expect(
      (kind, arg) => {
        if (arg !== cameraId) return false;
        if (kind === 'crossing-start') started = true;
        return started && kind === 'crossing-end';
      },
      ((seconds ?? 3) + 10) * 1000,
      `crossing on ${cameraId}`,
    );
    this.#child?.stdin?.write(`cross ${cameraId}${seconds === undefined ? '' : ` ${seconds}`}\n`);
    return done;
  }

  freeze(cameraId: string, seconds?: number): Promise<void> {
    return this.#fault('freeze', 'frozen', cameraId, seconds);
  }

  unfreeze(cameraId: string): Promise<void> {
    return this.#fault('unfreeze', 'unfrozen', cameraId);
  }

  cover(cameraId: string, seconds?: number): Promise<void> {
    return this.#fault('cover', 'covered', cameraId, seconds);
  }

  uncover(cameraId: string): Promise<void> {
    return this.#fault('uncover', 'uncovered', cameraId);
  }

  /** Sends a fault command; resolves on the line that confirms it. */
  async #fault(command: string, confirmation: string, cameraId: string, seconds?: number): Promise<void> {
    this.#checkCamera(cameraId);
    if (seconds !== undefined && !(seconds > 0 && seconds < 3600)) {
      throw new RangeError(`${command} seconds must be in (0, 3600), got ${seconds}`);
    }
    const done = this.#expect((kind, arg) => kind === confirmation && arg === cameraId, 5000, `${confirmation} ${cameraId}`);
    this.#child?.stdin?.write(`${command} ${cameraId}${seconds === undefined ? '' : ` ${seconds}`}\n`);
    return done;
  }

  async crossingStarted(cameraId: string): Promise<void> {
    this.#checkCamera(cameraId);
    return this.#expect((kind, arg) => kind === 'crossing-start' && arg === cameraId, 0, `crossing-start ${cameraId}`);
  }

  clipStarts(clipId: string): readonly number[] {
    this.#checkClip(clipId);
    return [...(this.#clipStarts.get(clipId) ?? [])];
  }

  async clipStarted(clipId: string): Promise<number> {
    this.#checkClip(clipId);
    const seen = this.#clipStarts.get(clipId)?.length ?? 0;
    await this.#expect((kind, arg) => kind === 'clip-start' && arg.split(' ')[0] === clipId, 0, `clip-start ${clipId}`);
    return this.#clipStarts.get(clipId)![seen]!;
  }

  async clipEnded(clipId: string): Promise<void> {
    this.#checkClip(clipId);
    return this.#expect((kind, arg) => kind === 'clip-end' && arg === clipId, 0, `clip-end ${clipId}`);
  }

  #checkCamera(cameraId: string): void {
    if (!this.#opts.cameras.includes(cameraId)) throw new Error(`unknown simulated camera '${cameraId}'`);
  }

  #checkClip(clipId: string): void {
    if (!Object.hasOwn(this.#opts.clips ?? {}, clipId)) throw new Error(`unknown simulated clip '${clipId}'`);
  }

  #dispatch(line: string): void {
    const space = line.indexOf(' ');
    const kind = space < 0 ? line : line.slice(0, space);
    const arg = space < 0 ? '' : line.slice(space + 1);
    if (kind === 'clip-start') {
      const [id, ms] = arg.split(' ');
      if (id !== undefined && Number.isFinite(Number(ms))) {
        const list = this.#clipStarts.get(id) ?? [];
        list.push(Number(ms));
        this.#clipStarts.set(id, list);
      }
    }
    for (const w of this.#waiters) {
      if (w.step(kind, arg)) w.resolve();
    }
  }

  /** Resolves when `step` returns true for a stdout line; 0 = no timeout. */
  #expect(step: Step, timeoutMs: number, what: string): Promise<void> {
    if (!this.#child) return Promise.reject(new Error(`RTSP simulator is not running (waiting for ${what})${this.#lastExit ? `; ${this.#lastExit}` : ''}`));
    return new Promise<void>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => waiter.reject(new Error(`RTSP simulator: no ${what} within ${timeoutMs} ms`)), timeoutMs)
          : undefined;
      const settle = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter: Waiter = {
        step,
        resolve: () => (settle(), resolve()),
        reject: (err) => (settle(), reject(err)),
      };
      this.#waiters.add(waiter);
    });
  }

  #stderrTail(): string {
    const tail = this.#stderr.trim().split('\n').slice(-5).join('\n');
    return tail ? `: ${tail}` : '';
  }
}

export async function startRtspSimulator(opts: RtspSimulatorOptions): Promise<RtspSimulator> {
  const ids = [...opts.cameras, ...Object.keys(opts.clips ?? {})];
  const bad = ids.filter((id) => !CAMERA_ID.test(id));
  if (ids.length === 0 || bad.length > 0 || new Set(ids).size !== ids.length) {
    throw new Error(`RTSP simulator needs unique camera ids matching ${CAMERA_ID}, got ${JSON.stringify(ids)}`);
  }
  for (const [id, file] of Object.entries(opts.clips ?? {})) {
    if (!/\.(mkv|mp4|mov)$/i.test(file)) throw new Error(`clip '${id}': ${file} is not an .mkv/.mp4/.mov file`);
    try {
      await access(file, constants.R_OK);
    } catch {
      throw new Error(`clip '${id}': cannot read ${file}`);
    }
  }
  const port = opts.port ? opts.port : await freeLoopbackPort();
  const sim = new ProcessRtspSimulator(port, { ...opts, cameras: [...opts.cameras], clips: { ...opts.clips } });
  await sim.start();
  return sim;
}
