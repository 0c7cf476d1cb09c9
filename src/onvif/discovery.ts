// Our own WS-Discovery (not onvif's Discovery: it keys cameras by UUID, so cheap cameras sharing
// one lose each other, it emits 'error' that kills the process, and with resolve it connects to any
// address a forged reply names). One UDP Probe by multicast and/or unicast (a paced sweep of hosts),
// replies collected for a window. Nothing here ever connects to an XAddr: the caller decides.
import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { MatThanError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface DiscoveryCandidate {
  /** EndpointReference Address, e.g. urn:uuid:… — NOT unique across cheap cameras. */
  uuid: string;
  xaddrs: string[];
  scopes: string[];
  name?: string;
  hardware?: string;
  /** Source IP of the reply; with uuid, the identity of a candidate. */
  from: string;
}

export interface DiscoveryOptions {
  /** Probe 239.255.255.250; default true when no unicast targets are given. */
  multicast?: boolean;
  /** Local IPv4 address: multicast leaves through its interface and the socket binds to it. */
  interfaceAddress?: string;
  /** IPv4 addresses or CIDRs of at most /24 each, probed one by one. */
  targets?: string[];
  /** Destination UDP port; default 3702 (others only for tests). */
  port?: number;
  /** How long to collect replies after the last probe left; default 3000 */
  timeoutMs?: number;
  /** Unicast pacing: this many probes, then a pause of sendIntervalMs; defaults 32 and 20. */
  sendBurst?: number;
  sendIntervalMs?: number;
  /** Ends the window early once it returns true (e.g. all expected cameras answered). */
  stopWhen?: (found: readonly DiscoveryCandidate[]) => boolean;
  signal?: AbortSignal;
  logger?: Logger;
}

export const DISCOVERY_GROUP = '239.255.255.250';
export const MAX_PACKET_BYTES = 64 * 1024;
const MAX_TARGETS = 4096;
const MAX_CANDIDATES = 1024;
const MAX_MATCHES_PER_PACKET = 16;
const MAX_LIST = 64;
const MAX_ITEM_CHARS = 512;
const NAME_SCOPE = 'onvif://www.onvif.org/name/';
const HARDWARE_SCOPE = 'onvif://www.onvif.org/hardware/';

export function buildProbe(messageId: string): string {
  return '<?xml version="1.0" encoding="UTF-8"?>' +
    '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
    'xmlns:d="urn:schemas-xmlsoap-org:ws:2005:04:discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">' +
    `<s:Header><a:MessageID>${messageId}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>` +
    '<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action></s:Header>' +
    '<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>';
}

/**
 * Contents of elements with this local name (any prefix or none), in order. Linear: each search
 * resumes after the previous close tag and stops at the first unclosed one; attributes are bounded
 * so a flood of open tags cannot make it quadratic.
 */
function elements(xml: string, name: string, max: number): string[] {
  const open = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${name}(?=[\\s/>])[^<>]{0,1024}>`, 'g');
  const close = new RegExp(`</(?:[A-Za-z_][\\w.-]*:)?${name}\\s*>`, 'g');
  const out: string[] = [];
  for (let m = open.exec(xml); m && out.length < max; m = open.exec(xml)) {
    if (m[0].endsWith('/>')) {
      out.push('');
      continue;
    }
    close.lastIndex = open.lastIndex;
    const end = close.exec(xml);
    if (!end) break;
    out.push(xml.slice(open.lastIndex, end.index));
    open.lastIndex = close.lastIndex;
  }
  return out;
}

const first = (xml: string | undefined, name: string) => (xml === undefined ? undefined : elements(xml, name, 1)[0]);

function decodeText(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g, (_m, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
    if (named[e]) return named[e];
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  }).trim();
}

const words = (s: string | undefined) =>
  s === undefined ? [] : decodeText(s).split(/\s+/).filter((w) => w && w.length <= MAX_ITEM_CHARS).slice(0, MAX_LIST);

function scopeValue(scopes: string[], prefix: string): string | undefined {
  const scope = scopes.find((s) => s.toLowerCase().startsWith(prefix));
  if (!scope) return undefined;
  try {
    return decodeURIComponent(scope.slice(prefix.length)) || undefined;
  } catch {
    return scope.slice(prefix.length) || undefined;
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * ProbeMatches of one UDP packet; [] for anything else (garbage, > 64 KiB, other messages). With a
 * messageId, a reply naming another probe in RelatesTo is dropped; one without RelatesTo is kept,
 * as some cameras omit it.
 */
export function parseProbeMatches(packet: Buffer | string, from: string, messageId?: string): DiscoveryCandidate[] {
  if (Buffer.byteLength(packet) > MAX_PACKET_BYTES) return [];
  const xml = (typeof packet === 'string' ? packet : packet.toString('utf8')).replace(/<!--[\s\S]*?-->/g, '');
  const matches = first(xml, 'ProbeMatches');
  if (matches === undefined) return [];
  const relatesTo = first(xml, 'RelatesTo');
  if (messageId !== undefined && relatesTo !== undefined && decodeText(relatesTo) !== messageId) return [];
  const out: DiscoveryCandidate[] = [];
  for (const match of elements(matches, 'ProbeMatch', MAX_MATCHES_PER_PACKET)) {
    const address = first(first(match, 'EndpointReference'), 'Address');
    const uuid = address === undefined ? '' : decodeText(address);
    if (!uuid || uuid.length > MAX_ITEM_CHARS || /[\s<>]/.test(uuid)) continue;
    const scopes = words(first(match, 'Scopes'));
    const name = scopeValue(scopes, NAME_SCOPE);
    const hardware = scopeValue(scopes, HARDWARE_SCOPE);
    const xaddrs = words(first(match, 'XAddrs')).filter(isHttpUrl);
    out.push({ uuid, xaddrs, scopes, from, ...(name ? { name } : {}), ...(hardware ? { hardware } : {}) });
  }
  return out;
}

const targetError = (detail: string) => new MatThanError('ONVIF_DISCOVERY_TARGET_INVALID', detail);

/** Hosts of one IPv4 address or CIDR; refuses ranges larger than /24 (256 addresses). */
export function expandCidr(spec: string): string[] {
  const [ip = '', bits, ...rest] = spec.trim().split('/');
  if (!net.isIPv4(ip) || rest.length > 0 || (bits !== undefined && !/^\d{1,2}$/.test(bits))) {
    throw targetError(`'${spec}' is not an IPv4 address or CIDR`);
  }
  const prefix = bits === undefined ? 32 : Number(bits);
  if (prefix > 32) throw targetError(`'${spec}': prefix /${prefix} is not valid for IPv4`);
  if (prefix < 24) throw targetError(`'${spec}' spans ${2 ** (32 - prefix)} addresses; scan at most a /24 at a time`);
  const size = 2 ** (32 - prefix);
  const addr = ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const base = addr - (addr % size);
  // Network and broadcast addresses are not hosts, except in /31 and /32.
  const [lo, hi] = size > 2 ? [1, size - 2] : [0, size - 1];
  const hosts: string[] = [];
  for (let i = lo; i <= hi; i++) {
    const n = base + i;
    hosts.push([24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.'));
  }
  return hosts;
}

export function expandTargets(targets: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const spec of targets) {
    for (const host of expandCidr(spec)) hosts.add(host);
    if (hosts.size > MAX_TARGETS) throw targetError(`more than ${MAX_TARGETS} unicast targets`);
  }
  return [...hosts];
}

function sendTo(socket: dgram.Socket, packet: Buffer, port: number, host: string): Promise<Error | null> {
  return new Promise((resolve) => socket.send(packet, port, host, (err) => resolve(err ?? null)));
}

async function openSocket(interfaceAddress: string | undefined): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, interfaceAddress, () => {
      socket.off('error', reject);
      resolve();
    });
  }).catch((err: Error) => {
    socket.close();
    throw new MatThanError('ONVIF_DISCOVERY_FAILED', `cannot bind to ${interfaceAddress ?? '0.0.0.0'}: ${err.message}`);
  });
  return socket;
}

/** Twice, 100 ms apart: a single lost UDP datagram must not hide a camera. */
async function sendMulticast(socket: dgram.Socket, probe: Buffer, port: number, opts: DiscoveryOptions, stop: AbortSignal): Promise<void> {
  if (opts.interfaceAddress) socket.setMulticastInterface(opts.interfaceAddress);
  for (let i = 0; i < 2 && !stop.aborted; i++) {
    if (i > 0) await delay(100, undefined, { signal: stop }).catch(() => {});
    const err = await sendTo(socket, probe, port, DISCOVERY_GROUP);
    if (err) {
      throw new MatThanError('ONVIF_DISCOVERY_FAILED', `multicast probe not sent (${err.message}); give interfaceAddress or add a 224.0.0.0/4 route`);
    }
  }
}

export async function discoverOnvif(opts: DiscoveryOptions = {}): Promise<DiscoveryCandidate[]> {
  const hosts = expandTargets(opts.targets ?? []);
  const multicast = opts.multicast ?? hosts.length === 0;
  if (opts.interfaceAddress !== undefined && !net.isIPv4(opts.interfaceAddress)) {
    throw targetError(`interfaceAddress '${opts.interfaceAddress}' is not an IPv4 address`);
  }
  opts.signal?.throwIfAborted();
  const port = opts.port ?? 3702;
  const messageId = `urn:uuid:${randomUUID()}`;
  const probe = Buffer.from(buildProbe(messageId));
  const found = new Map<string, DiscoveryCandidate>();
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const socket = await openSocket(opts.interfaceAddress);
  socket.on('error', (err) => opts.logger?.warn({ err: err.message }, 'onvif discovery socket error'));
  socket.on('message', (msg, rinfo) => {
    for (const c of parseProbeMatches(msg, rinfo.address, messageId)) {
      const key = JSON.stringify([c.uuid, c.from]); // duplicate UUIDs on different hosts stay apart
      const seen = found.get(key);
      if (seen) seen.xaddrs = [...new Set([...seen.xaddrs, ...c.xaddrs])].slice(0, MAX_LIST);
      else if (found.size < MAX_CANDIDATES) found.set(key, c);
    }
    try {
      if (opts.stopWhen?.([...found.values()])) stop.abort();
    } catch (err) {
      // A throwing predicate must not become an uncaught exception in a socket callback.
      opts.logger?.warn({ err: (err as Error).message }, 'onvif discovery stopWhen threw; collecting on');
    }
  });
  try {
    if (multicast) await sendMulticast(socket, probe, port, opts, stop.signal);
    const burst = Math.max(1, opts.sendBurst ?? 32);
    for (let i = 0; i < hosts.length && !stop.signal.aborted; i++) {
      const err = await sendTo(socket, probe, port, hosts[i]!);
      if (err) opts.logger?.debug({ host: hosts[i], err: err.message }, 'onvif discovery probe not sent');
      if ((i + 1) % burst === 0) await delay(opts.sendIntervalMs ?? 20, undefined, { signal: stop.signal }).catch(() => {});
    }
    await delay(opts.timeoutMs ?? 3000, undefined, { signal: stop.signal }).catch(() => {});
    if (opts.signal?.aborted) throw opts.signal.reason;
    return [...found.values()];
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    socket.close();
  }
}
