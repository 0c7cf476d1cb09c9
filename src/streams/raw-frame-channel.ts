// A private unix socket that a patrolling ffmpeg writes its full-resolution frames to (y4m). Only
// the last two are kept, numbered in step with the detection frames, so the keyframe that raised an
// alert can be encoded into its snapshot (snapshot-encoder.ts) while nothing else is.

import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Y4mSplitter, type Y4mFrame } from './y4m-reader.js';

const KEEP = 2;

export class RawFrameChannel {
  readonly #dir = mkdtempSync(path.join(os.tmpdir(), 'mt-'));
  readonly socketPath = path.join(this.#dir, 'full.sock');
  readonly #server = net.createServer((socket) => this.#accept(socket));
  readonly #sockets = new Set<net.Socket>();
  #frames: Array<{ seq: number; frame: Y4mFrame }> = [];
  #seq = 0;
  #waiters: Array<{ seq: number; resolve: () => void }> = [];

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.socketPath, () => resolve());
    });
  }

  get target(): string {
    return `unix:${this.socketPath}`;
  }

  /** Frame `seq` (1-based), waiting up to `waitMs` for it; else the latest one. */
  async frameFor(seq: number, waitMs: number): Promise<Y4mFrame | null> {
    if (this.#seq < seq) {
      await new Promise<void>((resolve) => {
        const waiter = { seq, resolve };
        this.#waiters.push(waiter);
        setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve();
        }, waitMs).unref();
      });
    }
    return (this.#frames.find((f) => f.seq === seq) ?? this.#frames.at(-1))?.frame ?? null;
  }

  async close(): Promise<void> {
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #accept(socket: net.Socket): void {
    const splitter = new Y4mSplitter();
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of splitter.push(chunk)) this.#add(frame);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
  }

  #add(frame: Y4mFrame): void {
    this.#seq++;
    this.#frames.push({ seq: this.#seq, frame });
    if (this.#frames.length > KEEP) this.#frames.shift();
    const ready = this.#waiters.filter((w) => w.seq <= this.#seq);
    this.#waiters = this.#waiters.filter((w) => w.seq > this.#seq);
    for (const w of ready) w.resolve();
  }
}
