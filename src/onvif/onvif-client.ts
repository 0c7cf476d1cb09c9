// The only module that imports `onvif` (0.8.3, pinned): one probe of a camera, as a typed promise,
// with every failure mapped to our error codes. The library is driven step by step (never its
// connect(), never autoconnect) so each step has our deadline, our size cap and our retry rules.
//
// Credentials: returned URLs carry NO user:pass by default (the caller stores username/password
// next to the camera and injects them where needed); `withCredentials: true` puts them into the
// rtsp URLs only. Errors and log lines never contain them.
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import onvif from 'onvif';
import { redactUrls } from '../cameras/camera-url.js';
import { MatThanError, isMatThanError } from '../errors.js';
import type { Logger } from '../logger.js';

type Cam = InstanceType<typeof onvif.Cam>;
type Callback<T> = (err: Error | null, data?: T, xml?: string) => void;

export interface ProbeOptions {
  /** The address we reach the camera on; stream/snapshot URIs are rewritten to it (NAT). */
  host: string;
  port?: number;
  username?: string;
  password?: string;
  /** Deadline per ONVIF request (a Digest handshake counts as one); default 5000 */
  timeoutMs?: number;
  /** Put username:password into the returned rtsp URLs; default false */
  withCredentials?: boolean;
  /** Largest accepted HTTP reply; default 1 MiB */
  maxReplyBytes?: number;
  logger?: Logger;
}

export interface DeviceInfo { manufacturer: string; model: string; firmwareVersion: string; serialNumber: string; hardwareId: string }
export interface ProbeProfile { token: string; name: string; encoding: string; width: number; height: number; fps?: number; rtspUrl: string }

export interface ProbeResult {
  deviceInfo: DeviceInfo;
  profiles: ProbeProfile[];
  /** Smallest H.264 profile at least 320 px wide (the largest H.264 one if none is that wide). */
  detection: { profileToken: string; rtspUrl: string; width: number; height: number };
  /** GetSnapshotUri of the largest H.264 profile; uri null = grab snapshots from that profile's stream. */
  snapshot: { uri: string | null; profileToken: string };
  /** Camera clock minus ours, as last read. */
  clockOffsetMs: number;
}

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_REPLY = 1024 * 1024;
const MAX_PROFILES = 16;
const MIN_DETECTION_WIDTH = 320;
/** WS-Security tokens are commonly accepted ±5 min around the camera clock. */
const TOKEN_TOLERANCE_MS = 5 * 60_000;
/** onvif strips namespaces with /xmlns([^=]*?)=…/, which is quadratic on long `=`-free runs holding many "xmlns". */
const MAX_REGEX_WORK = 50_000_000;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const AUTH_FAULT = /not ?authori[sz]ed|unauthori[sz]ed|authentication|FailedAuthentication/i;

/** Counts reply bytes per socket so a huge or regex-hostile reply is cut before onvif buffers or parses it. */
class GuardedAgent extends http.Agent {
  constructor(private readonly maxBytes: number, private readonly onReject: (code: 'ONVIF_REPLY_TOO_LARGE' | 'ONVIF_NOT_ONVIF', why: string) => void) {
    super({ keepAlive: false });
  }

  override createConnection(options: http.ClientRequestArgs): Duplex {
    const socket = net.createConnection(options as net.NetConnectOpts);
    let bytes = 0;
    let xmlnsInRun = 0; // "xmlns" seen since the last '='
    let work = 0;
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      const text = chunk.toString('latin1');
      // Both searches only move forward, so this stays linear in the chunk.
      let x = text.indexOf('xmlns');
      for (let from = 0; from < text.length;) {
        const eq = text.indexOf('=', from);
        const end = eq < 0 ? text.length : eq;
        for (; x >= 0 && x < end; x = text.indexOf('xmlns', x + 5)) xmlnsInRun++;
        work += xmlnsInRun * (end - from);
        if (eq < 0) break;
        xmlnsInRun = 0;
        from = eq + 1;
      }
      if (bytes > this.maxBytes) this.onReject('ONVIF_REPLY_TOO_LARGE', `reply exceeds ${this.maxBytes} bytes`);
      else if (work > MAX_REGEX_WORK) this.onReject('ONVIF_NOT_ONVIF', 'pathological XML (too costly to parse)');
      else return;
      socket.destroy();
    });
    return socket;
  }
}

/** One probe's connection state: a Cam, its agent, and at most one request in flight. */
class Session {
  readonly cam: Cam;
  readonly agent: GuardedAgent;
  clockOffsetMs = 0;
  clockKnown = false;
  authRetried = false;
  #status: number | undefined;
  #failPending: ((code: 'ONVIF_REPLY_TOO_LARGE' | 'ONVIF_NOT_ONVIF', why: string) => void) | null = null;

  constructor(readonly o: ProbeOptions & { port: number; timeoutMs: number }) {
    this.agent = new GuardedAgent(o.maxReplyBytes ?? DEFAULT_MAX_REPLY, (code, why) => this.#failPending?.(code, why));
    this.cam = new onvif.Cam({
      hostname: o.host, port: o.port, username: o.username, password: o.password,
      timeout: o.timeoutMs, autoconnect: false, preserveAddress: true, agent: this.agent,
    });
    this.cam.on('rawResponse', (_xml: string, status: number) => (this.#status = status));
  }

  /** Runs one onvif call with our deadline; onvif may call back twice or never, only the first outcome counts. */
  call<T>(what: string, start: (cb: Callback<T>) => void): Promise<T> {
    this.#status = undefined;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (err: MatThanError | null, value?: T) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#failPending = null;
        if (err) reject(err);
        else resolve(value as T);
      };
      const timer = setTimeout(() => {
        finish(new MatThanError('ONVIF_UNREACHABLE', `${what}: no reply from ${this.o.host}:${this.o.port} within ${this.o.timeoutMs} ms`));
        this.agent.destroy(); // the in-flight socket; later requests open new ones
      }, this.o.timeoutMs);
      this.#failPending = (code, why) => finish(new MatThanError(code, `${what} (${this.o.host}:${this.o.port}): ${why}`));
      try {
        start((err, data, xml) => finish(err ? this.classify(what, err, xml) : null, data));
      } catch (err) {
        finish(this.classify(what, err, undefined));
      }
    });
  }

  classify(what: string, err: unknown, xml: string | undefined): MatThanError {
    if (err instanceof MatThanError) return err;
    const e = err as NodeJS.ErrnoException;
    const msg = this.scrub(String(e?.message ?? err));
    const status = this.#status;
    const say = (detail: string) => `${what} (${this.o.host}:${this.o.port}): ${detail}`;
    if ((e?.code && NETWORK_CODES.has(e.code)) || /Network timeout|socket hang up/.test(msg)) {
      return new MatThanError('ONVIF_UNREACHABLE', say(e?.code === 'ECONNRESET' || /hang up/.test(msg) ? 'connection dropped' : e?.code ?? 'timeout'));
    }
    if (msg.startsWith('Digest authentication') || status === 401) return new MatThanError('ONVIF_UNAUTHORIZED', say(`HTTP 401 (${msg})`));
    if (msg.startsWith('ONVIF SOAP Fault')) {
      return new MatThanError(AUTH_FAULT.test(msg) ? 'ONVIF_UNAUTHORIZED' : 'ONVIF_FAULT', say(msg.slice(0, 200)));
    }
    const httpStatus = status !== undefined && status !== 200 ? `HTTP ${status}, ` : '';
    const kind = msg.startsWith('Wrong ONVIF SOAP') || (xml !== undefined && !/Envelope/i.test(xml)) ? 'not a SOAP reply' : `unexpected reply (${msg.slice(0, 120)})`;
    return new MatThanError('ONVIF_NOT_ONVIF', say(httpStatus + kind));
  }

  scrub(text: string): string {
    const pw = this.o.password;
    return redactUrls(pw ? text.split(pw).join('***') : text);
  }

  close(): void {
    this.#failPending = null;
    this.agent.destroy();
    this.cam.removeAllListeners();
  }
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function get(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}
/** onvif's linerase turns "123" into 123 and single-element arrays into values: undo that. */
const str = (v: unknown) => (v === undefined || v === null || typeof v === 'object' ? '' : String(v));
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** onvif keeps the first timeShift forever and, without one, signs tokens with 1970 + uptime. */
async function readClock(s: Session): Promise<void> {
  delete s.cam.timeShift;
  try {
    const time = await s.call<Date>('GetSystemDateAndTime', (cb) => s.cam.getSystemDateAndTime(cb));
    const offset = time instanceof Date ? time.getTime() - Date.now() : NaN;
    s.clockKnown = Number.isFinite(offset);
    s.clockOffsetMs = s.clockKnown ? offset : 0;
  } catch (err) {
    // Cameras that fault or demand auth here still get a chance with our own clock.
    if (!isMatThanError(err, 'ONVIF_UNAUTHORIZED') && !isMatThanError(err, 'ONVIF_FAULT')) throw err;
    s.clockKnown = false;
    s.clockOffsetMs = 0;
  }
  s.cam.timeShift = Date.now() + s.clockOffsetMs - process.uptime() * 1000;
}

/** An auth failure re-reads the camera clock (WS-Security timestamps) and retries once per probe. */
async function authed<T>(s: Session, what: string, start: (cb: Callback<T>) => void): Promise<T> {
  try {
    return await s.call(what, start);
  } catch (err) {
    if (!isMatThanError(err, 'ONVIF_UNAUTHORIZED')) throw err;
    if (!s.authRetried) {
      s.authRetried = true;
      await readClock(s);
      s.o.logger?.debug({ host: s.o.host, clockOffsetMs: s.clockOffsetMs }, 'onvif auth failed; retrying with re-read clock');
      try {
        return await s.call(what, start);
      } catch (retryErr) {
        if (!isMatThanError(retryErr, 'ONVIF_UNAUTHORIZED')) throw retryErr;
      }
    }
    if (s.clockKnown && Math.abs(s.clockOffsetMs) > TOKEN_TOLERANCE_MS) {
      throw new MatThanError('ONVIF_CLOCK_SKEW', `${what} (${s.o.host}:${s.o.port}): rejected although the token used the camera clock, ` +
        `which is ${Math.round(s.clockOffsetMs / 1000)} s off ours; set the camera time (NTP) and check the password`);
    }
    throw err;
  }
}

function toProfile(raw: unknown): Omit<ProbeProfile, 'rtspUrl'> | null {
  const vec = get(raw, 'videoEncoderConfiguration');
  const token = str(get(raw, '$', 'token'));
  const width = Number(get(vec, 'resolution', 'width'));
  const height = Number(get(vec, 'resolution', 'height'));
  if (!token || !vec || !(width > 0) || !(height > 0)) return null;
  const fps = Number(get(vec, 'rateControl', 'frameRateLimit'));
  const encoding = str(get(vec, 'encoding')).toUpperCase();
  return { token, name: str(get(raw, 'name')) || token, encoding, width, height, ...(fps > 0 ? { fps } : {}) };
}

/** NAT: keep the scheme, port and path the camera reported, but use the host we reached it on. */
function rewriteUri(raw: string, o: ProbeOptions, schemes: string[], inject: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (!schemes.includes(url.protocol) || /[\s\u0000-\u001f]/.test(raw.trim())) return null;
  url.hostname = net.isIPv6(o.host) ? `[${o.host}]` : o.host;
  url.username = inject ? (o.username ?? '') : '';
  url.password = inject ? (o.password ?? '') : '';
  return url.toString();
}

async function loadServices(s: Session): Promise<void> {
  try {
    await authed(s, 'GetServices', (cb) => s.cam.getServices(true, cb));
  } catch (err) {
    if (!isMatThanError(err, 'ONVIF_FAULT') && !isMatThanError(err, 'ONVIF_NOT_ONVIF')) throw err;
    // ONVIF < 2.0 cameras, and onvif's own crash on a one-service reply: fall back as its connect() does.
    await authed(s, 'GetCapabilities', (cb) => s.cam.getCapabilities(cb));
  }
  if (!s.cam.uri?.media && !s.cam.uri?.media2) throw new MatThanError('ONVIF_NOT_ONVIF', `${s.o.host}: no media service`);
  // Media1 (Profile S) whenever offered: onvif's Media2 path is newer and less proven.
  if (s.cam.uri?.media) s.cam.media2Support = false;
}

async function loadProfiles(s: Session, o: ProbeOptions): Promise<ProbeProfile[]> {
  const raw = await authed<unknown>(s, 'GetProfiles', (cb) => s.cam.getProfiles(cb));
  const candidates = list(raw).map(toProfile).filter((p) => p !== null).slice(0, MAX_PROFILES);
  if (!candidates.some((p) => p.encoding === 'H264')) {
    const seen = [...new Set(candidates.map((p) => p.encoding))].join(', ') || 'no video profiles';
    throw new MatThanError('ONVIF_NO_H264', `${o.host}: ${seen}`);
  }
  const profiles: ProbeProfile[] = [];
  for (const p of candidates) {
    const opts = { protocol: 'RTSP', stream: 'RTP-Unicast', profileToken: escapeXml(p.token) };
    try {
      const media = await authed<unknown>(s, 'GetStreamUri', (cb) => s.cam.getStreamUri(opts, cb as Callback<{ uri: string }>));
      const rtspUrl = rewriteUri(str(get(media, 'uri')), o, ['rtsp:', 'rtsps:'], o.withCredentials === true);
      if (rtspUrl) profiles.push({ ...p, rtspUrl });
    } catch (err) {
      if (!isMatThanError(err, 'ONVIF_FAULT') && !isMatThanError(err, 'ONVIF_NOT_ONVIF')) throw err;
      o.logger?.debug({ host: o.host, profile: p.token, err: (err as Error).message }, 'onvif profile without a stream uri skipped');
    }
  }
  if (!profiles.some((p) => p.encoding === 'H264')) throw new MatThanError('ONVIF_NO_H264', `${o.host}: no H.264 profile with an RTSP URI`);
  return profiles;
}

async function snapshotUri(s: Session, o: ProbeOptions, profileToken: string): Promise<string | null> {
  try {
    const media = await authed<unknown>(s, 'GetSnapshotUri', (cb) =>
      s.cam.getSnapshotUri({ profileToken: escapeXml(profileToken) }, cb as Callback<{ uri: string }>));
    return rewriteUri(str(get(media, 'uri')), o, ['http:', 'https:'], false);
  } catch (err) {
    // Optional for the camera: snapshots then come from the stream.
    o.logger?.debug({ host: o.host, err: (err as Error).message }, 'onvif snapshot uri unavailable');
    return null;
  }
}

function validate(o: ProbeOptions): void {
  const bad = (why: string) => new MatThanError('VALIDATION_FAILED', `ONVIF probe: ${why}`);
  if (typeof o.host !== 'string' || !/^[A-Za-z0-9.:-]{1,253}$/.test(o.host)) throw bad('host must be a hostname or an IP address');
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65536)) throw bad('port must be 1-65535');
  // onvif writes the username unescaped into XML and a Digest header, and hashes the password as ASCII.
  if (o.username !== undefined && (!/^[\x21-\x7e]{0,128}$/.test(o.username) || /[<>&"]/.test(o.username))) {
    throw bad('username must be printable ASCII without spaces or <>&"');
  }
  if (o.password !== undefined && !/^[\x20-\x7e]{0,128}$/.test(o.password)) throw bad('password must be printable ASCII');
  if (o.timeoutMs !== undefined && !(o.timeoutMs >= 100 && o.timeoutMs <= 60_000)) throw bad('timeoutMs must be 100-60000');
}

const byArea = (a: { width: number; height: number }, b: { width: number; height: number }) => a.width * a.height - b.width * b.height;

export async function probeCamera(opts: ProbeOptions): Promise<ProbeResult> {
  validate(opts);
  const o = { ...opts, port: opts.port ?? 80, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS };
  const s = new Session(o);
  try {
    await readClock(s);
    const info = await authed<unknown>(s, 'GetDeviceInformation', (cb) => s.cam.getDeviceInformation(cb));
    await loadServices(s);
    const profiles = await loadProfiles(s, o);
    const h264 = profiles.filter((p) => p.encoding === 'H264').sort(byArea);
    const detection = h264.find((p) => p.width >= MIN_DETECTION_WIDTH) ?? h264[h264.length - 1]!;
    const largest = h264[h264.length - 1]!;
    const field = (k: string) => s.scrub(str(get(info, k)));
    return {
      deviceInfo: { manufacturer: field('manufacturer'), model: field('model'), firmwareVersion: field('firmwareVersion'),
        serialNumber: field('serialNumber'), hardwareId: field('hardwareId') },
      profiles,
      detection: { profileToken: detection.token, rtspUrl: detection.rtspUrl, width: detection.width, height: detection.height },
      snapshot: { uri: await snapshotUri(s, o, largest.token), profileToken: largest.token },
      clockOffsetMs: s.clockOffsetMs,
    };
  } finally {
    s.close();
  }
}
