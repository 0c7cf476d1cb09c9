// A private unix socket that ffmpeg writes one output to. It splits the byte stream into items
// (JPEGs, raw frames), keeps the last few numbered in arrival order, and hands one out by number, so
// an image can be matched to the detection frame that triggered it.
//
// Either Node listens and ffmpeg connects (the socket allocates a fresh buffer per read, which the
// splitter may keep views of), or — for the big raw frames — ffmpeg listens (`-listen 1`) and Node
// connects with `onread`, reading into one buffer it owns: no allocation, page fault or garbage per
// read; the splitter then copies what it keeps. ffmpeg opens its outputs once its input is probed and
// waits there until Node has connected.

import { existsSync, mkdtempSync, rmSync, watch, type FSWatcher } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface StreamSplitter<T> {
  /** The items the chunk completes; throws on a stream it cannot read (the socket is then dropped). */
  push(chunk: Buffer): Iterable<T>;
}

export interface SocketChannelOptions {
  /** ffmpeg listens on the socket and Node connects, reading into one buffer of this many bytes. */
  ffmpegListensReadBytes?: number;
}

/**
 * The buffers ffmpeg-listens channels read into, one per size for the whole service: each read is
 * consumed before the next one starts (the callback runs for it at once; splitters copy what they keep
 * and lend the rest synchronously), so a buffer per socket, two per camera, was 0.25 MiB per camera of
 * memory holding nothing.
 */
const readBuffers = new Map<number, Buffer>();
function sharedReadBuffer(bytes: number): Buffer {
  let b = readBuffers.get(bytes);
  if (!b) readBuffers.set(bytes, (b = Buffer.allocUnsafeSlow(bytes)));
  return b;
}

/** How often a connection ffmpeg refused (bound, not yet listening) is tried again, and how many times. */
const CONNECT_RETRY_MS = 20;
const CONNECT_TRIES = 250;

export class SocketChannel<T> {
  readonly #dir = mkdtempSync(path.join(os.tmpdir(), 'mt-'));
  readonly socketPath: string;
  readonly #server: net.Server | null;
  /** ffmpeg-listens mode: the buffer every read goes into (shared: sharedReadBuffer). */
  readonly #readBuffer: Buffer | null;
  #watcher: FSWatcher | null = null;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #sockets = new Set<net.Socket>();
  readonly #keep: number;
  readonly #newSplitter: () => StreamSplitter<T>;
  #items: Array<{ seq: number; item: T }> = [];
  #seq = 0;
  #waiters: Array<{ seq: number; resolve: () => void }> = [];

  constructor(socketName: string, keep: number, newSplitter: () => StreamSplitter<T>, o: SocketChannelOptions = {}) {
    this.socketPath = path.join(this.#dir, socketName);
    this.#keep = keep;
    this.#newSplitter = newSplitter;
    const readBytes = o.ffmpegListensReadBytes ?? 0;
    this.#readBuffer = readBytes > 0 ? sharedReadBuffer(readBytes) : null;
    this.#server = this.#readBuffer ? null : net.createServer((socket) => this.#accept(socket));
  }

  /** Listens (Node-listens mode); with ffmpeg listening, connects once ffmpeg's socket is there. */
  async start(): Promise<void> {
    const server = this.#server;
    if (server === null) return this.#connectWhenThere();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
  }

  /** True when ffmpeg must be told to listen on the target (`-listen 1`). */
  get ffmpegListens(): boolean {
    return this.#server === null;
  }

  /** ffmpeg's output URL for this channel. */
  get target(): string {
    return `unix:${this.socketPath}`;
  }

  /** Numbering restarts with each ffmpeg run, in step with the detection frames. */
  resetSequence(): void {
    this.#seq = 0;
    this.#items = [];
  }

  /** Item `seq` (1-based in this run), waiting up to `waitMs` for it; else the latest one. */
  async itemFor(seq: number, waitMs: number): Promise<T | null> {
    if (this.#seq < seq && !this.#closed) {
      await new Promise<void>((resolve) => {
        const waiter = { seq, resolve };
        this.#waiters.push(waiter);
        setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          resolve();
        }, waitMs).unref();
      });
    }
    return (this.#items.find((i) => i.seq === seq) ?? this.#items.at(-1))?.item ?? null;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    if (this.#retry) clearTimeout(this.#retry);
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
    for (const s of this.#sockets) s.destroy();
    const server = this.#server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.#dir, { recursive: true, force: true });
  }

  #accept(socket: net.Socket): void {
    const splitter = this.#newSplitter();
    this.#track(socket);
    socket.on('data', (chunk: Buffer) => this.#feed(splitter, chunk, socket));
  }

  /** Returns at once: connects when ffmpeg has made its socket (a watch on the private directory). */
  #connectWhenThere(): void {
    const name = path.basename(this.socketPath);
    this.#watcher = watch(this.#dir, (_event, file) => {
      if (file === name) this.#connect(CONNECT_TRIES);
    });
    this.#watcher.on('error', () => {});
    if (existsSync(this.socketPath)) this.#connect(CONNECT_TRIES);
  }

  #connect(triesLeft: number): void {
    if (this.#closed || this.#sockets.size > 0 || this.#retry !== null) return;
    this.#watcher?.close();
    this.#watcher = null;
    const splitter = this.#newSplitter();
    let connected = false;
    const socket = net.connect({
      path: this.socketPath,
      onread: {
        buffer: this.#readBuffer as Buffer,
        callback: (n: number, buf: Uint8Array) => {
          this.#feed(splitter, Buffer.from(buf.buffer, buf.byteOffset, n), socket);
          return true;
        },
      },
    });
    this.#track(socket);
    socket.once('connect', () => { connected = true; });
    socket.once('close', () => {
      // Bound but not yet listening: ffmpeg is a few instructions away from accepting.
      if (!connected && triesLeft > 1 && !this.#closed) {
        this.#retry = setTimeout(() => { this.#retry = null; this.#connect(triesLeft - 1); }, CONNECT_RETRY_MS);
      }
    });
  }

  #track(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  #feed(splitter: StreamSplitter<T>, chunk: Buffer, socket: net.Socket): void {
    try {
      for (const item of splitter.push(chunk)) this.#add(item);
    } catch {
      socket.destroy();
    }
  }

  #add(item: T): void {
    this.#seq++;
    this.#items.push({ seq: this.#seq, item });
    if (this.#items.length > this.#keep) this.#items.shift();
    const ready = this.#waiters.filter((w) => w.seq <= this.#seq);
    this.#waiters = this.#waiters.filter((w) => w.seq > this.#seq);
    for (const w of ready) w.resolve();
  }
}
