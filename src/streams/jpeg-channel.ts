// A private unix socket that ffmpeg writes its JPEG output to. It keeps the last few images
// numbered in arrival order, so a snapshot can be matched to the detection frame that triggered it.

import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { JpegSplitter } from './frame-reader.js';

const KEEP = 8;

export class JpegChannel {
  readonly #dir = mkdtempSync(path.join(os.tmpdir(), 'mt-'));
  readonly socketPath = path.join(this.#dir, 'snap.sock');
  readonly #server = net.createServer((socket) => this.#accept(socket));
  #images: Array<{ seq: number; jpeg: Buffer }> = [];
  #seq = 0;
  #waiters: Array<{ seq: number; resolve: () => void }> = [];
  readonly #sockets = new Set<net.Socket>();

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.socketPath, () => resolve());
    });
  }

  /** ffmpeg's output URL for this channel. */
  get target(): string {
    return `unix:${this.socketPath}`;
  }

  /** Numbering restarts with each ffmpeg run, in step with the detection frames. */
  resetSequence(): void {
    this.#seq = 0;
    this.#images = [];
  }

  /** The JPEG of frame `seq` (1-based in this run), waiting up to `waitMs` for it; else the latest one. */
  async imageFor(seq: number, waitMs: number): Promise<Buffer | null> {
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
    const exact = this.#images.find((i) => i.seq === seq);
    return (exact ?? this.#images.at(-1))?.jpeg ?? null;
  }

  async close(): Promise<void> {
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #accept(socket: net.Socket): void {
    const splitter = new JpegSplitter();
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      for (const jpeg of splitter.push(chunk)) this.#add(jpeg);
    });
    socket.on('error', () => socket.destroy());
  }

  #add(jpeg: Buffer): void {
    this.#seq++;
    this.#images.push({ seq: this.#seq, jpeg });
    if (this.#images.length > KEEP) this.#images.shift();
    const ready = this.#waiters.filter((w) => w.seq <= this.#seq);
    this.#waiters = this.#waiters.filter((w) => w.seq > this.#seq);
    for (const w of ready) w.resolve();
  }
}
