// ONVIF camera simulator in plain Node (node:http + node:dgram, no SOAP library): a WS-Discovery
// responder, the device/media operations onboarding uses, a PullPoint event service with scripted
// motion (onvif-sim-events.ts), real WS-Security and HTTP Digest checks and fault switches.
// Runnable on its own so a test can start it inside a network namespace:
//   ip netns exec NS ...onvifSimulatorCommand(['--discovery-address', '10.0.0.2'])
// prints `ready {"port":…,"uuid":…,"deviceUrl":…,"discoveryPort":…}`, then serves until SIGTERM
// or until its stdin closes (so a crashed parent cannot leave it running).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import dgram from 'node:dgram';
import { realpathSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EVENT_NAMESPACES, SimEventService, type SimEventOperation, type SimMotionOptions } from './onvif-sim-events.js';

export type { SimEventOperation, SimMotionOptions, SimMotionTopic } from './onvif-sim-events.js';

export interface SimProfile { token: string; name?: string; encoding: string; width: number; height: number; fps?: number }

export interface OnvifFaults {
  always401: boolean; // every request, GetSystemDateAndTime included
  soapFault: boolean; // every request
  delayMs: number; // before every HTTP reply
  dropConnections: boolean; // socket destroyed on arrival
  udpGarbage: boolean; // random bytes, truncated XML and a reply to another probe, before the real ProbeMatches
  hugeReply: boolean; // 5 MiB, well-formed: only a size cap stops it
  malformedXml: boolean;
  pathologicalXml: boolean; // ~1 MB of "xmlns" without "=": quadratic for onvif's namespace-stripping regex
  clockReportErrorMs: number; // added to GetSystemDateAndTime only: a reported clock it does not check tokens with
  clockReportErrorOnce: boolean; // only for the next clock reply: a clock that jumps right after being read
  instantPull: boolean; // PullMessages answers at once (with whatever is queued, usually nothing), ignoring Timeout
  subscriptionFault: boolean; // CreatePullPointSubscription answers a SOAP fault
}

export interface OnvifSimulatorOptions {
  host?: string; // HTTP bind address; default 127.0.0.1
  port?: number; // 0 / undefined = a free port
  advertiseHost?: string; // host in XAddrs and the snapshot URI; default host (the discovery interface if host is 0.0.0.0)
  uuid?: string; // default a random urn:uuid
  username?: string; // default admin
  password?: string; // default admin
  authModes?: Array<'ws-security' | 'digest'>; // default both
  profiles?: SimProfile[]; // default DEFAULT_PROFILES
  rtspUrl?: string; // `{profile}` = the token; default rtsp://<advertiseHost>:8554/{profile}
  streamHost?: string; // host reported in stream and snapshot URIs instead (a camera behind NAT)
  snapshot?: boolean; // false: GetSnapshotUri answers ActionNotSupported
  discovery?: { address?: string; port?: number; multicastInterface?: string }; // WS-Discovery responder; omitted = none
  clockSkewMs?: number;
  faults?: Partial<OnvifFaults>;
  events?: boolean; // false: no event service (not advertised, its operations unsupported); default true
  eventMaxGrantSec?: number; // longest subscription lifetime granted, whatever was asked; default 3600
  onRequest?: (req: http.IncomingMessage, res: http.ServerResponse) => void; // sees every HTTP request as it arrives (the bench counts those in flight)
}

export interface OnvifSimulator {
  readonly port: number;
  readonly uuid: string;
  readonly deviceUrl: string;
  readonly discoveryPort: number | null;
  setFaults(faults: Partial<OnvifFaults>): void;
  setClockSkewMs(ms: number): void;
  /** Queues a motion notification for every live subscription; topic and value style stick for later ones. */
  setMotion(active: boolean, opts?: SimMotionOptions): void;
  /** Forgets every subscription (a reboot): pending and later PullMessages/Renew on them fault. */
  dropSubscriptions(): void;
  /** Event requests received per operation (after authentication), since start. */
  eventCounts(): Readonly<Record<SimEventOperation, number>>;
  /** Subscriptions alive (created, not unsubscribed, dropped or expired). */
  eventSubscriptions(): number;
  close(): Promise<void>;
}

export const DEFAULT_PROFILES: readonly SimProfile[] = [
  { token: 'main', name: 'MainStream', encoding: 'H264', width: 1920, height: 1080, fps: 25 },
  { token: 'sub', name: 'SubStream', encoding: 'H264', width: 640, height: 360, fps: 15 },
];
const NO_FAULTS: OnvifFaults = {
  always401: false, soapFault: false, delayMs: 0, dropConnections: false, udpGarbage: false,
  hugeReply: false, malformedXml: false, pathologicalXml: false, clockReportErrorMs: 0, clockReportErrorOnce: false,
  instantPull: false, subscriptionFault: false,
};
const GROUP = '239.255.255.250';
const REALM = 'onvif-sim';
const TOKEN_TOLERANCE_MS = 5 * 60_000;
const MAX_REQUEST_BYTES = 256 * 1024;
// A 16x16 baseline JPEG (made once with ffmpeg), so the simulator needs no ffmpeg itself.
const JPEG = Buffer.from('/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgUFBcUFxsbGxsbGyAeICEhISAgICAhISEkJCQqKiokJCQhISQkKCgqKi4vLisrKisvLzIyMjw8OTlGRkhWVmf/xABMAAEBAAAAAAAAAAAAAAAAAAAABgEBAQAAAAAAAAAAAAAAAAAABQYQAQAAAAAAAAAAAAAAAAAAAAARAQAAAAAAAAAAAAAAAAAAAAD/wAARCAAQABADASIAAhEAAxEA/9oADAMBAAIRAxEAPwCbAUQF/9k=', 'base64');
const NS = 'xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tds="http://www.onvif.org/ver10/device/wsdl" ' +
  'xmlns:trt="http://www.onvif.org/ver10/media/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:ter="http://www.onvif.org/ver10/error" ' + EVENT_NAMESPACES;

const esc = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** `<tag attrs>children</tag>`; `tag` may carry attributes after a space. */
const x = (tag: string, ...children: Array<string | number>) => `<${tag}>${children.join('')}</${tag.split(' ')[0]}>`;
/** Simple-valued children: leaves('tt', { Width: 640 }) = <tt:Width>640</tt:Width>. */
const leaves = (prefix: string, values: Record<string, string | number>) =>
  Object.entries(values).map(([k, v]) => x(`${prefix}:${k}`, typeof v === 'string' ? esc(v) : v)).join('');
const envelope = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>${x(`env:Envelope ${NS}`, x('env:Body', body))}`;
const fault = (code: string, sub: string, reason: string) => envelope(x('env:Fault',
  x('env:Code', x('env:Value', code), x('env:Subcode', x('env:Value', sub))),
  x('env:Reason', x('env:Text xml:lang="en"', esc(reason)))));

/** Text of the first element with this local name (any prefix); undefined when absent. */
function textOf(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]{0,1024})?>([^<]{0,4096})<`).exec(xml);
  const named: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
  return m?.[1]?.trim().replace(/&(lt|gt|quot|apos|amp);/g, (_e, n: string) => named[n]!);
}

function utcDateTime(ms: number): string {
  const d = new Date(ms);
  return x('tt:UTCDateTime', x('tt:Time', leaves('tt', { Hour: d.getUTCHours(), Minute: d.getUTCMinutes(), Second: d.getUTCSeconds() })),
    x('tt:Date', leaves('tt', { Year: d.getUTCFullYear(), Month: d.getUTCMonth() + 1, Day: d.getUTCDate() })));
}

function profileXml(p: SimProfile): string {
  const source = x('tt:VideoSourceConfiguration token="vsc"', leaves('tt', { Name: 'vsc', UseCount: 2, SourceToken: 'vs0' }),
    '<tt:Bounds x="0" y="0" width="1920" height="1080"/>');
  const encoder = x(`tt:VideoEncoderConfiguration token="vec-${esc(p.token)}"`,
    leaves('tt', { Name: `vec-${p.token}`, UseCount: 1, Encoding: p.encoding }),
    x('tt:Resolution', leaves('tt', { Width: p.width, Height: p.height })), leaves('tt', { Quality: 5 }),
    x('tt:RateControl', leaves('tt', { FrameRateLimit: p.fps ?? 25, EncodingInterval: 1, BitrateLimit: 2048 })));
  return x(`trt:Profiles token="${esc(p.token)}" fixed="true"`, leaves('tt', { Name: p.name ?? p.token }), source, encoder);
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

class Simulator implements OnvifSimulator {
  readonly #o: OnvifSimulatorOptions;
  readonly #server = http.createServer((req, res) => {
    this.#o.onRequest?.(req, res);
    void this.#handle(req, res).catch(() => res.destroy());
  });
  readonly #nonces = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #udp: dgram.Socket | null = null;
  #faults: OnvifFaults;
  #skewMs: number;
  readonly #events: SimEventService;
  port = 0;
  discoveryPort: number | null = null;
  readonly uuid: string;

  constructor(o: OnvifSimulatorOptions) {
    this.#o = o;
    this.uuid = o.uuid ?? `urn:uuid:${randomUUID()}`;
    this.#faults = { ...NO_FAULTS, ...o.faults };
    this.#skewMs = o.clockSkewMs ?? 0;
    this.#events = new SimEventService({ cameraNow: () => Date.now() + this.#skewMs, baseUrl: () => `http://${this.#host}:${this.port}`,
      maxGrantSec: o.eventMaxGrantSec ?? 3600, textOf });
  }

  get #host(): string {
    const o = this.#o;
    return o.advertiseHost ?? (o.host && o.host !== '0.0.0.0' ? o.host : o.discovery?.multicastInterface ?? '127.0.0.1');
  }
  get deviceUrl(): string { return `http://${this.#host}:${this.port}/onvif/device_service`; }
  setFaults(f: Partial<OnvifFaults>): void { this.#faults = { ...this.#faults, ...f }; }
  setClockSkewMs(ms: number): void { this.#skewMs = ms; }
  setMotion(active: boolean, opts?: SimMotionOptions): void { this.#events.setMotion(active, opts); }
  dropSubscriptions(): void { this.#events.dropSubscriptions(); }
  eventCounts(): Readonly<Record<SimEventOperation, number>> { return { ...this.#events.counts }; }
  eventSubscriptions(): number { return this.#events.subscriptions; }

  async start(): Promise<void> {
    this.#server.listen(this.#o.port ?? 0, this.#o.host ?? '127.0.0.1');
    await new Promise<void>((resolve, reject) => this.#server.once('listening', resolve).once('error', reject));
    this.port = (this.#server.address() as AddressInfo).port;
    if (this.#o.discovery) await this.#startDiscovery(this.#o.discovery);
  }

  async #startDiscovery(d: NonNullable<OnvifSimulatorOptions['discovery']>): Promise<void> {
    const udp = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    this.#udp = udp;
    udp.on('error', () => {}); // a failed send must not take the camera down
    udp.on('message', (msg, rinfo) => this.#onProbe(msg, rinfo));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(d.port ?? 3702, d.address ?? '0.0.0.0', () => resolve());
    });
    if (d.multicastInterface) udp.addMembership(GROUP, d.multicastInterface);
    this.discoveryPort = udp.address().port;
  }

  #onProbe(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const xml = msg.length <= 65536 ? msg.toString('utf8') : '';
    const messageId = textOf(xml, 'MessageID');
    if (!/<(?:[\w.-]+:)?Probe[\s/>]/.test(xml) || !messageId) return;
    const send = (packet: string | Buffer) => this.#udp?.send(packet, rinfo.port, rinfo.address);
    if (this.#faults.udpGarbage) {
      send(randomBytes(512));
      send('<?xml version="1.0"?><s:Envelope><s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference>');
      send(this.#probeMatches('urn:uuid:not-your-probe', 'urn:uuid:forged-reply'));
    }
    send(this.#probeMatches(messageId, this.uuid));
  }

  #probeMatches(relatesTo: string, uuid: string): string {
    const scopes = ['type/video_encoder', 'name/Mat%20Than%20Sim', 'hardware/SIM-1', 'location/village'].map((v) => `onvif://www.onvif.org/${v}`);
    const ns = 'xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
      'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"';
    const header = leaves('wsa', { MessageID: `urn:uuid:${randomUUID()}`, RelatesTo: relatesTo,
      To: 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous', Action: 'http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches' });
    const match = x('d:ProbeMatch', x('wsa:EndpointReference', leaves('wsa', { Address: uuid })),
      leaves('d', { Types: 'dn:NetworkVideoTransmitter', Scopes: scopes.join(' '), XAddrs: this.deviceUrl, MetadataVersion: 1 }));
    return `<?xml version="1.0" encoding="UTF-8"?>${x(`SOAP-ENV:Envelope ${ns}`, x('SOAP-ENV:Header', header), x('SOAP-ENV:Body', x('d:ProbeMatches', match)))}`;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const f = this.#faults;
    if (f.dropConnections) return void req.socket.destroy();
    if (f.delayMs > 0) await this.#delay(f.delayMs);
    if (req.method === 'GET' && req.url === '/snapshot.jpg') return this.#send(res, 200, JPEG, 'image/jpeg');
    if (req.method !== 'POST') return this.#send(res, 405, 'POST SOAP requests only', 'text/plain');
    const body = await readBody(req);
    if (body === null) return this.#send(res, 413, 'request too large', 'text/plain');
    if (f.always401) return this.#challenge(res);
    if (f.soapFault) return this.#send(res, 500, fault('env:Receiver', 'ter:Action', 'Simulated failure'));
    if (f.hugeReply) return this.#send(res, 200, hugeReply());
    if (f.malformedXml) return this.#send(res, 200, '<?xml version="1.0"?><env:Envelope><env:Body><tds:GetDeviceInfo');
    if (f.pathologicalXml) return this.#send(res, 200, 'xmlns'.repeat(200_000));
    const op = /<(?:[\w.-]+:)?Body\b[^>]{0,1024}>\s*<(?:[\w.-]+:)?([A-Za-z]+)/.exec(body)?.[1] ?? '';
    if (op !== 'GetSystemDateAndTime') {
      const auth = this.#authorize(req, body);
      if (auth === 'challenge') return this.#challenge(res);
      if (auth === 'fault') return this.#send(res, 400, fault('env:Sender', 'ter:NotAuthorized', 'Sender not Authorized'));
    }
    if (this.#o.events !== false) {
      const event = await this.#events.handle(op, req.url ?? '', body, f, (done) => res.once('close', done));
      if (event && 'body' in event) return this.#send(res, 200, envelope(event.body));
      if (event) return this.#send(res, event.status, fault(event.code, event.subcode, event.reason));
    }
    const reply = this.#operation(op, body);
    if (reply !== null) return this.#send(res, 200, envelope(reply));
    this.#send(res, 400, fault('env:Receiver', 'ter:ActionNotSupported', `${op || 'request'} is not supported`));
  }

  #operation(op: string, body: string): string | null {
    const base = `http://${this.#host}:${this.port}/onvif`;
    const profiles = this.#o.profiles ?? DEFAULT_PROFILES;
    const profile = profiles.find((p) => p.token === textOf(body, 'ProfileToken'));
    const mediaUri = (uri: string) => x('trt:MediaUri', leaves('tt', { Uri: this.#natted(uri), InvalidAfterConnect: 'false', InvalidAfterReboot: 'false', Timeout: 'PT0S' }));
    switch (op) {
      case 'GetSystemDateAndTime': return this.#clockReply();
      case 'GetDeviceInformation':
        return x('tds:GetDeviceInformationResponse',
          leaves('tds', { Manufacturer: 'MatThan', Model: 'SimCam 1', FirmwareVersion: '1.0.0', SerialNumber: 'SIM0001', HardwareId: 'SIM-1' }));
      case 'GetServices':
        return x('tds:GetServicesResponse', ...['device', 'media', ...(this.#o.events === false ? [] : ['event'])].map((svc) => x('tds:Service',
          leaves('tds', { Namespace: `http://www.onvif.org/ver10/${svc === 'event' ? 'events' : svc}/wsdl`, XAddr: `${base}/${svc}_service` }),
          x('tds:Version', leaves('tt', { Major: 2, Minor: 60 })))));
      case 'GetCapabilities':
        return x('tds:GetCapabilitiesResponse', x('tds:Capabilities', x('tt:Device', leaves('tt', { XAddr: `${base}/device_service` })),
          this.#o.events === false ? '' : x('tt:Events', leaves('tt', { XAddr: `${base}/event_service`,
            WSSubscriptionPolicySupport: 'false', WSPullPointSupport: 'true', WSPausableSubscriptionManagerInterfaceSupport: 'false' })),
          x('tt:Media', leaves('tt', { XAddr: `${base}/media_service` }),
            x('tt:StreamingCapabilities', leaves('tt', { RTPMulticast: 'false', RTP_TCP: 'true', RTP_RTSP_TCP: 'true' })))));
      case 'GetProfiles': return x('trt:GetProfilesResponse', ...profiles.map(profileXml));
      case 'GetStreamUri': {
        const url = (this.#o.rtspUrl ?? `rtsp://${this.#host}:8554/{profile}`).replace('{profile}', encodeURIComponent(profile?.token ?? ''));
        return profile ? x('trt:GetStreamUriResponse', mediaUri(url)) : null;
      }
      case 'GetSnapshotUri':
        if (this.#o.snapshot === false || !profile) return null;
        return x('trt:GetSnapshotUriResponse', mediaUri(`http://${this.#host}:${this.port}/snapshot.jpg`));
      default: return null;
    }
  }

  #clockReply(): string {
    const f = this.#faults;
    const now = Date.now() + this.#skewMs + f.clockReportErrorMs;
    if (f.clockReportErrorOnce) this.#faults = { ...f, clockReportErrorMs: 0, clockReportErrorOnce: false };
    return x('tds:GetSystemDateAndTimeResponse', x('tds:SystemDateAndTime', leaves('tt', { DateTimeType: 'Manual', DaylightSavings: 'false' }),
      x('tt:TimeZone', leaves('tt', { TZ: 'UTC0' })), utcDateTime(now)));
  }

  #natted(url: string): string {
    if (!this.#o.streamHost) return url;
    const u = new URL(url);
    u.hostname = this.#o.streamHost;
    return u.toString();
  }

  /** Either mechanism may authenticate, as on real cameras; Digest wins when both are sent. */
  #authorize(req: http.IncomingMessage, body: string): 'ok' | 'challenge' | 'fault' {
    const modes = new Set(this.#o.authModes ?? ['ws-security', 'digest']);
    if (modes.has('digest') && this.#digestOk(req)) return 'ok';
    if (modes.has('ws-security') && /<(?:[\w.-]+:)?UsernameToken[\s>]/.test(body)) return this.#wsSecurityOk(body) ? 'ok' : 'fault';
    return modes.has('digest') ? 'challenge' : 'fault';
  }

  /** PasswordDigest = Base64(SHA1(nonce + created + password)), Created within ±5 min of OUR clock. */
  #wsSecurityOk(body: string): boolean {
    const [user, digest, nonce, created] = ['Username', 'Password', 'Nonce', 'Created'].map((n) => textOf(body, n));
    if (user !== (this.#o.username ?? 'admin') || !digest || !nonce || !created) return false;
    const createdMs = Date.parse(created);
    if (!Number.isFinite(createdMs) || Math.abs(createdMs - (Date.now() + this.#skewMs)) > TOKEN_TOLERANCE_MS) return false;
    const expected = createHash('sha1')
      .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created), Buffer.from(this.#o.password ?? 'admin')]))
      .digest('base64');
    return safeEqual(expected, digest);
  }

  /** RFC 2617 Digest, MD5, qop=auth, against a nonce this simulator issued. */
  #digestOk(req: http.IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Digest ')) return false;
    const p: Record<string, string> = {};
    for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
    if (p.username !== (this.#o.username ?? 'admin') || !p.nonce || !this.#nonces.has(p.nonce) || p.uri !== req.url || p.qop !== 'auth') return false;
    const ha1 = md5(`${p.username}:${REALM}:${this.#o.password ?? 'admin'}`);
    const ha2 = md5(`${req.method}:${p.uri}`);
    return safeEqual(md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`), p.response ?? '');
  }

  #challenge(res: http.ServerResponse): void {
    const nonce = randomBytes(16).toString('hex');
    this.#nonces.add(nonce);
    if (this.#nonces.size > 256) this.#nonces.delete(this.#nonces.values().next().value!);
    res.setHeader('WWW-Authenticate', `Digest realm="${REALM}", qop="auth", nonce="${nonce}", algorithm=MD5`);
    this.#send(res, 401, '<html><body>401 Unauthorized</body></html>', 'text/html');
  }

  #send(res: http.ServerResponse, status: number, body: string | Buffer, type = 'application/soap+xml; charset=utf-8'): void {
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body);
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => (this.#timers.delete(timer), resolve()), ms);
      this.#timers.add(timer);
    });
  }

  async close(): Promise<void> {
    this.#events.close();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#udp?.close();
    this.#udp = null;
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

let huge: Buffer | null = null;
function hugeReply(): Buffer {
  huge ??= Buffer.from(envelope(x('tds:GetDeviceInformationResponse', x('tds:Manufacturer', 'A'.repeat(5 * 1024 * 1024)))));
  return huge;
}

async function readBody(req: http.IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startOnvifSimulator(opts: OnvifSimulatorOptions = {}): Promise<OnvifSimulator> {
  const sim = new Simulator(opts);
  try {
    await sim.start();
  } catch (err) {
    await sim.close().catch(() => {});
    throw err;
  }
  return sim;
}

/**
 * argv that runs this module as a program: this process's loader flags (tap's TypeScript hook in
 * tests, none when compiled) + this very file (.ts or .js), so both cases work unchanged.
 */
export function onvifSimulatorCommand(args: string[]): [string, ...string[]] {
  const loaders = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  return [process.execPath, ...loaders, fileURLToPath(import.meta.url), ...args];
}

async function main(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({
    args: argv,
    options: Object.fromEntries(['port', 'host', 'uuid', 'rtsp-url', 'discovery-address', 'discovery-port', 'username', 'password']
      .map((k) => [k, { type: 'string' as const }])),
  });
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const iface = str('discovery-address');
  const sim = await startOnvifSimulator({
    host: str('host') ?? (iface ? '0.0.0.0' : '127.0.0.1'), port: Number(str('port') ?? 0), uuid: str('uuid'), rtspUrl: str('rtsp-url'),
    username: str('username'), password: str('password'),
    discovery: iface ? { address: '0.0.0.0', port: Number(str('discovery-port') ?? 3702), multicastInterface: iface } : undefined,
  });
  const { port, uuid, deviceUrl, discoveryPort } = sim;
  process.stdout.write(`ready ${JSON.stringify({ port, uuid, deviceUrl, discoveryPort })}\n`);
  const stop = () => void sim.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop).once('SIGINT', stop);
  if (!process.stdin.isTTY) process.stdin.on('end', stop).resume();
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`onvif-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
