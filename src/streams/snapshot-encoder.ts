// Encodes kept full-resolution frames into the snapshot and thumbnail JPEGs, on demand, in one
// long-running ffmpeg per picture size that all cameras share. Cameras send raw frames (y4m) and only
// the frame an event asks for is encoded: events are rare, frames are not.
//
// One ffmpeg per event cost 0.2 CPU-s and 0.2 s of the alert's latency (ffmpeg's start-up and the
// fork of the whole service); a running encoder answers in ~5 ms. An encoder that is idle exits, one
// that dies or hangs is replaced at the next request, and its requests get no pictures (the event
// still goes out).

import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Logger } from '../logger.js';
import { JpegSplitter } from './frame-reader.js';
import { y4mHeader, Y4M_FRAME, type Y4mFrame } from './y4m-reader.js';

export interface SnapshotJpegs {
  snapshot: Buffer | null;
  thumbnail: Buffer | null;
}

export interface SnapshotEncoderOptions {
  ffmpegPath: string;
  snapshotWidth: number;
  thumbnailWidth: number;
  logger: Logger;
  /** A request not answered in this time ends its encoder (killed; the next request starts another). */
  timeoutMs?: number;
  /** An encoder with nothing to do for this long exits. */
  idleMs?: number;
  /** Requests waiting at one encoder beyond this get no pictures at once, rather than ever later ones. */
  maxQueue?: number;
}

const NONE: SnapshotJpegs = { snapshot: null, thumbnail: null };
const STOP_GRACE_MS = 2000;
const STDERR_LINES = 5;

export class SnapshotEncoder {
  readonly #o: Required<SnapshotEncoderOptions>;
  readonly #log: Logger;
  readonly #encoders = new Map<string, EncoderProcess>();
  #closed = false;

  constructor(o: SnapshotEncoderOptions) {
    this.#o = { timeoutMs: 5000, idleMs: 60_000, maxQueue: 64, ...o };
    this.#log = o.logger.child({ component: 'snapshot-encoder' });
  }

  /** Never rejects: a frame that cannot be encoded gives null images. */
  encode(frame: Y4mFrame): Promise<SnapshotJpegs> {
    if (this.#closed) return Promise.resolve(NONE);
    const key = `${frame.width}x${frame.height}`;
    let e = this.#encoders.get(key);
    if (!e?.accepting) {
      const created = new EncoderProcess(frame.width, frame.height, this.#o, this.#log.child({ size: key }));
      created.exited.then(() => {
        if (this.#encoders.get(key) === created) this.#encoders.delete(key);
      });
      this.#encoders.set(key, created);
      e = created;
    }
    return e.encode(frame.data);
  }

  /** Process ids of the running encoders (for the benchmark's CPU accounting). */
  pids(): number[] {
    return [...this.#encoders.values()].map((e) => e.pid).filter((p): p is number => p !== null);
  }

  /** Stops every encoder (what is waiting gets no pictures); resolves once their processes are gone. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#encoders.values()];
    this.#encoders.clear();
    await Promise.all(all.map((e) => e.stop()));
  }
}

interface Request {
  snapshot?: Buffer;
  thumbnail?: Buffer;
  resolve: (j: SnapshotJpegs) => void;
  timer: NodeJS.Timeout;
}

/** One ffmpeg reading a y4m stream of one size on stdin, writing each frame's two JPEGs to fd 1 and fd 3, in order. */
class EncoderProcess {
  readonly #child: ChildProcess;
  readonly #o: Required<SnapshotEncoderOptions>;
  readonly #log: Logger;
  readonly #queue: Request[] = [];
  readonly #stderr: string[] = [];
  readonly exited: Promise<void>;
  #accepting = true;
  #idle: NodeJS.Timeout | null = null;
  #warnedFull = false;

  constructor(width: number, height: number, o: Required<SnapshotEncoderOptions>, log: Logger) {
    this.#o = o;
    this.#log = log;
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1',
      // The y4m header says all there is: without these ffmpeg reads ~5 MB (a dozen frames) before it starts.
      '-probesize', '32', '-analyzeduration', '0', '-fpsprobesize', '0',
      '-f', 'yuv4mpegpipe', '-i', 'pipe:0', '-filter_threads', '1',
      '-filter_complex', `[0:v]scale='min(${o.snapshotWidth},iw)':-2,format=yuvj420p,split=2[snap][t];[t]scale='min(${o.thumbnailWidth},iw)':-2[thumb]`,
      // Each JPEG leaves as soon as it is encoded, not when the output buffer fills.
      '-map', '[snap]', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '5', '-threads', '1', '-flush_packets', '1', 'pipe:1',
      '-map', '[thumb]', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '8', '-threads', '1', '-flush_packets', '1', 'pipe:3',
    ];
    this.#child = spawn(o.ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    this.exited = new Promise<void>((resolve) => {
      let done = false;
      const end = (why: string) => {
        if (done) return;
        done = true;
        this.#accepting = false;
        if (this.#idle) clearTimeout(this.#idle);
        if (this.#queue.length > 0) this.#log.warn({ why, waiting: this.#queue.length, stderr: this.#stderr }, 'snapshot encoder ended with frames waiting: they get no pictures');
        for (const r of this.#queue.splice(0)) {
          clearTimeout(r.timer);
          r.resolve(NONE);
        }
        resolve();
      };
      this.#child.once('error', (err) => end(err.message));
      this.#child.once('close', (code, signal) => end(`exit ${code ?? signal}`));
    });
    this.#child.stdin?.on('error', () => {});
    this.#child.stdin?.write(y4mHeader(width, height), 'latin1');
    this.#read(this.#child.stdout, 'snapshot');
    this.#read(this.#child.stdio[3] as Readable | null, 'thumbnail');
    this.#child.stderr?.setEncoding('utf8').on('data', (s: string) => {
      this.#stderr.push(...s.split('\n').filter(Boolean));
      this.#stderr.splice(0, Math.max(0, this.#stderr.length - STDERR_LINES));
    });
  }

  get pid(): number | null {
    return this.#child.pid ?? null;
  }

  /** False once it is stopping or gone: a new request then needs a new encoder. */
  get accepting(): boolean {
    return this.#accepting;
  }

  encode(data: Buffer): Promise<SnapshotJpegs> {
    if (this.#queue.length >= this.#o.maxQueue) {
      if (!this.#warnedFull) this.#log.warn({ waiting: this.#queue.length }, 'snapshot encoder is behind: an event goes out without pictures');
      this.#warnedFull = true;
      return Promise.resolve(NONE);
    }
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    return new Promise<SnapshotJpegs>((resolve) => {
      const timer = setTimeout(() => {
        this.#log.warn({ timeoutMs: this.#o.timeoutMs, stderr: this.#stderr }, 'snapshot encoder did not answer; stopping it');
        this.#kill();
      }, this.#o.timeoutMs);
      this.#queue.push({ resolve, timer });
      this.#child.stdin?.write(Y4M_FRAME, 'latin1');
      this.#child.stdin?.write(data);
    });
  }

  /** Ends its input (ffmpeg finishes and exits), and kills it if it does not. */
  stop(): Promise<void> {
    this.#accepting = false;
    this.#child.stdin?.end();
    const kill = setTimeout(() => this.#kill(), STOP_GRACE_MS);
    return this.exited.finally(() => clearTimeout(kill));
  }

  #kill(): void {
    this.#accepting = false;
    this.#child.kill('SIGKILL');
  }

  #read(stream: Readable | null, part: 'snapshot' | 'thumbnail'): void {
    const splitter = new JpegSplitter();
    stream?.on('data', (chunk: Buffer) => {
      for (const jpeg of splitter.push(chunk)) {
        const r = this.#queue.find((q) => q[part] === undefined);
        if (!r) continue;
        r[part] = jpeg;
        this.#settle();
      }
    });
  }

  /** Answers the requests at the head whose two JPEGs are both in (ffmpeg answers in order). */
  #settle(): void {
    while (this.#queue[0]?.snapshot !== undefined && this.#queue[0].thumbnail !== undefined) {
      const r = this.#queue.shift() as Request;
      clearTimeout(r.timer);
      r.resolve({ snapshot: r.snapshot ?? null, thumbnail: r.thumbnail ?? null });
    }
    if (this.#queue.length === 0 && this.#accepting) {
      this.#warnedFull = false;
      this.#idle = setTimeout(() => void this.stop(), this.#o.idleMs);
      this.#idle.unref();
    }
  }
}
