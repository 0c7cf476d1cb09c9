// ONVIF PullPoint events, our own SOAP over node:http (typed promises, no state of its own).
//
// Why not onvif 0.8.3 (read lib/events.js): it hard-codes PullMessages Timeout PT1M with an 80 s
// socket timeout, InitialTerminationTime and Renew PT2M, keeps ONE subscription on the Cam object,
// writes the subscription address unescaped into the header, gives no size cap per request and
// derives the termination time from our clock. We need our long-poll length, our deadline and size
// cap on every request, and renewal against a subscription address we hold — so the four
// operations (plus clock and events-address lookup) are written here, with WS-Security
// UsernameToken PasswordDigest as onvif-client.ts sends it. HTTP Digest is not spoken.
//
// Untrusted replies: size-capped while streaming, parsed by xml-lite (no DTDs, bounded), every
// failure a MatThanError. Messages never contain the password.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { MatThanError, type ErrorCode } from '../errors.js';
import { childrenNamed, findFirst, parseXml, path, textOf, type XmlElement } from './xml-lite.js';
import type { SimpleItem } from './motion-topics.js';
import { grantedMs, isoSeconds } from './pull-point-timing.js';

export interface PullPointTarget { host: string; port: number; username?: string; password?: string }
export interface RequestOptions { timeoutMs: number; maxReplyBytes: number; signal?: AbortSignal }

export interface PullPointSubscription {
  /** Where PullMessages/Renew/Unsubscribe go: the camera's address, re-pointed at target host:port (NAT). */
  address: string;
  /** ReferenceParameters to echo in the header (Axis SubscriptionId), raw XML, or '' */
  referenceParameters: string;
  /** Granted lifetime by the camera's own clock. */
  grantedMs: number;
}

export interface Notification { topic: string; operation: string; source: SimpleItem[]; data: SimpleItem[] }

/** Camera clock minus ours; WS-Security tokens must carry the camera's time. */
export interface ClockRef { offsetMs: number }

const MAX_NOTIFICATIONS = 256;
const MAX_ITEMS = 16;
const MAX_REFERENCE_PARAMETERS = 2048;
const AUTH_FAULT = /not ?authori[sz]ed|unauthori[sz]ed|authentication|FailedAuthentication/i;
const NS = 'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://www.w3.org/2005/08/addressing" ' +
  'xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" ' +
  'xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:tt="http://www.onvif.org/ver10/schema"';

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
const where = (t: PullPointTarget) => `${t.host}:${t.port}`;
/** An error about this camera; camera-supplied text is cut short and never carries the password. */
function failure(t: PullPointTarget, code: ErrorCode, what: string, detail: string): MatThanError {
  const short = detail.slice(0, 200);
  return new MatThanError(code, `${what} (${where(t)}): ${t.password ? short.split(t.password).join('***') : short}`);
}

function security(t: PullPointTarget, clock: ClockRef): string {
  if (!t.username || t.password === undefined) return '';
  const nonce = randomBytes(16);
  const created = new Date(Date.now() + clock.offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created), Buffer.from(t.password)])).digest('base64');
  return '<Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">' +
    `<UsernameToken><Username>${escapeXml(t.username)}</Username>` +
    `<Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</Password>` +
    `<Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</Nonce>` +
    `<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created>` +
    '</UsernameToken></Security>';
}

function envelope(header: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope ${NS}><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
}

/** WS-Addressing header for a request to a subscription: To, plus its reference parameters. */
function addressed(sub: PullPointSubscription, action: string): string {
  return `<a:Action>${action}</a:Action><a:To s:mustUnderstand="1">${escapeXml(sub.address)}</a:To>${sub.referenceParameters}`;
}

/** One POST with a deadline, a reply size cap and abort; resolves with the status and the parsed reply. */
function post(url: URL, xml: string, what: string, t: PullPointTarget, o: RequestOptions): Promise<{ status: number; doc: XmlElement }> {
  const fail = (code: ErrorCode, detail: string) => failure(t, code, what, detail);
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: MatThanError | null, value?: { status: number; doc: XmlElement }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const onAbort = () => finish(fail('ONVIF_UNREACHABLE', 'aborted'));
    const timer = setTimeout(() => finish(fail('ONVIF_UNREACHABLE', `no reply within ${o.timeoutMs} ms`)), o.timeoutMs);
    const req = http.request(url, {
      method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/soap+xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) },
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > o.maxReplyBytes) finish(fail('ONVIF_REPLY_TOO_LARGE', `reply exceeds ${o.maxReplyBytes} bytes`));
        else chunks.push(chunk);
      });
      res.on('error', () => finish(fail('ONVIF_UNREACHABLE', 'connection dropped')));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        try {
          finish(null, { status, doc: parseXml(Buffer.concat(chunks).toString('utf8')) });
        } catch (err) {
          finish(status === 401 ? fail('ONVIF_UNAUTHORIZED', 'HTTP 401') : fail('ONVIF_NOT_ONVIF', `HTTP ${status}, not a SOAP reply (${(err as Error).message})`));
        }
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish(fail('ONVIF_UNREACHABLE', err.code ?? 'connection failed')));
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    req.end(xml);
  });
}

/** POSTs and returns the Body's first child; faults become ONVIF_UNAUTHORIZED, `faultCode` or ONVIF_NOT_ONVIF. */
async function call(url: URL, xml: string, what: string, t: PullPointTarget, o: RequestOptions, faultCode: ErrorCode = 'ONVIF_FAULT'): Promise<XmlElement> {
  const { status, doc } = await post(url, xml, what, t, o);
  const body = doc.name === 'Envelope' ? path(doc, 'Body') : undefined;
  const fail = (code: ErrorCode, detail: string) => failure(t, code, what, detail);
  if (!body) throw fail('ONVIF_NOT_ONVIF', `HTTP ${status}, not a SOAP envelope`);
  const fault = path(body, 'Fault');
  if (fault) {
    const sub = textOf(findFirst(path(fault, 'Code', 'Subcode'), 'Value')) || textOf(path(fault, 'faultcode'));
    const reason = textOf(path(fault, 'Reason', 'Text')) || textOf(path(fault, 'faultstring'));
    const detail = [sub, reason].filter(Boolean).join(': ') || 'SOAP fault';
    throw fail(status === 401 || AUTH_FAULT.test(detail) ? 'ONVIF_UNAUTHORIZED' : faultCode, detail);
  }
  if (status === 401) throw fail('ONVIF_UNAUTHORIZED', 'HTTP 401');
  const first = body.children[0];
  if (status !== 200 || !first) throw fail('ONVIF_NOT_ONVIF', `HTTP ${status}, no answer in the body`);
  return first;
}

/** A camera-given URL re-pointed at the host:port we reach the camera on (NAT), as onboarding does. */
function repoint(raw: string, t: PullPointTarget, what: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new MatThanError('ONVIF_NOT_ONVIF', `${what} (${where(t)}): not a URL`);
  }
  if (url.protocol !== 'http:') throw new MatThanError('ONVIF_EVENTS_UNSUPPORTED', `${what} (${where(t)}): ${url.protocol} addresses are not supported`);
  url.hostname = net.isIPv6(t.host) ? `[${t.host}]` : t.host;
  url.port = String(t.port);
  url.username = '';
  url.password = '';
  return url.toString();
}

const deviceUrl = (t: PullPointTarget) => new URL(`http://${net.isIPv6(t.host) ? `[${t.host}]` : t.host}:${t.port}/onvif/device_service`);

/** Camera clock minus ours from GetSystemDateAndTime (unauthenticated); 0 when the camera will not say. */
export async function readCameraClock(t: PullPointTarget, o: RequestOptions): Promise<number> {
  const reply = await call(deviceUrl(t), envelope('', '<tds:GetSystemDateAndTime/>'), 'GetSystemDateAndTime', t, o);
  const utc = findFirst(reply, 'UTCDateTime');
  const n = (el: XmlElement | undefined, name: string) => Number(textOf(path(el, name)));
  const date = path(utc, 'Date');
  const time = path(utc, 'Time');
  const ms = Date.UTC(n(date, 'Year'), n(date, 'Month') - 1, n(date, 'Day'), n(time, 'Hour'), n(time, 'Minute'), n(time, 'Second'));
  return Number.isFinite(ms) ? ms - Date.now() : 0;
}

/** The events service address: GetCapabilities (Profile S), else GetServices. */
export async function getEventsAddress(t: PullPointTarget, clock: ClockRef, o: RequestOptions): Promise<string> {
  let xaddr = '';
  try {
    const reply = await call(deviceUrl(t), envelope(security(t, clock), '<tds:GetCapabilities><tds:Category>Events</tds:Category></tds:GetCapabilities>'), 'GetCapabilities', t, o);
    xaddr = textOf(path(findFirst(reply, 'Events'), 'XAddr'));
  } catch (err) {
    if ((err as MatThanError).code !== 'ONVIF_FAULT') throw err;
  }
  if (!xaddr) {
    const reply = await call(deviceUrl(t), envelope(security(t, clock), '<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>'), 'GetServices', t, o)
      .catch((err: MatThanError) => { throw err.code === 'ONVIF_FAULT' ? new MatThanError('ONVIF_EVENTS_UNSUPPORTED', err.message) : err; });
    const svc = childrenNamed(reply, 'Service').find((s) => textOf(path(s, 'Namespace')) === 'http://www.onvif.org/ver10/events/wsdl');
    xaddr = textOf(path(svc, 'XAddr'));
  }
  if (!xaddr) throw new MatThanError('ONVIF_EVENTS_UNSUPPORTED', `${where(t)}: no events service advertised`);
  return repoint(xaddr, t, 'events address');
}

/** Re-serialises the ReferenceParameters children we were given (bounded), marked as reference parameters. */
function referenceParameters(el: XmlElement | undefined): string {
  const out = (el?.children ?? []).slice(0, 4).map((c) =>
    `<${c.name} xmlns="${escapeXml(c.ns)}" a:IsReferenceParameter="true">${escapeXml(textOf(c))}</${c.name}>`);
  const xml = out.join('');
  return xml.length <= MAX_REFERENCE_PARAMETERS ? xml : '';
}

/** Lifetime granted in a Create/Renew reply; the camera clock estimate covers a missing CurrentTime. */
function granted(reply: XmlElement, clock: ClockRef, what: string, t: PullPointTarget): number {
  const ms = grantedMs(textOf(findFirst(reply, 'TerminationTime')), textOf(findFirst(reply, 'CurrentTime')) || undefined, Date.now() + clock.offsetMs);
  if (ms === null) throw new MatThanError('ONVIF_NOT_ONVIF', `${what} (${where(t)}): no readable TerminationTime`);
  const current = Date.parse(textOf(findFirst(reply, 'CurrentTime')));
  if (Number.isFinite(current)) clock.offsetMs = current - Date.now(); // fresher than GetSystemDateAndTime
  return ms;
}

export async function createPullPoint(t: PullPointTarget, eventsAddress: string, terminationSec: number, clock: ClockRef, o: RequestOptions): Promise<PullPointSubscription> {
  const body = `<tev:CreatePullPointSubscription><tev:InitialTerminationTime>${isoSeconds(terminationSec)}</tev:InitialTerminationTime></tev:CreatePullPointSubscription>`;
  const reply = await call(new URL(eventsAddress), envelope(security(t, clock), body), 'CreatePullPointSubscription', t, o);
  const ref = path(reply, 'SubscriptionReference');
  const raw = textOf(path(ref, 'Address'));
  if (!raw) throw new MatThanError('ONVIF_NOT_ONVIF', `CreatePullPointSubscription (${where(t)}): no SubscriptionReference address`);
  return { address: repoint(raw, t, 'subscription address'), referenceParameters: referenceParameters(path(ref, 'ReferenceParameters')),
    grantedMs: granted(reply, clock, 'CreatePullPointSubscription', t) };
}

const items = (el: XmlElement | undefined): SimpleItem[] =>
  childrenNamed(el, 'SimpleItem').slice(0, MAX_ITEMS).map((i) => ({ name: i.attrs.Name ?? '', value: i.attrs.Value ?? '' }));

function notification(n: XmlElement): Notification {
  const msg = path(n, 'Message', 'Message') ?? path(n, 'Message');
  return { topic: textOf(path(n, 'Topic')), operation: msg?.attrs.PropertyOperation ?? '', source: items(path(msg, 'Source')), data: items(path(msg, 'Data')) };
}

/** One long poll. A fault (unknown or expired subscription, most often) is ONVIF_SUBSCRIPTION_LOST. */
export async function pullMessages(t: PullPointTarget, sub: PullPointSubscription, timeoutSec: number, messageLimit: number, clock: ClockRef, o: RequestOptions): Promise<Notification[]> {
  const header = security(t, clock) + addressed(sub, 'http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest');
  const body = `<tev:PullMessages><tev:Timeout>${isoSeconds(timeoutSec)}</tev:Timeout><tev:MessageLimit>${messageLimit}</tev:MessageLimit></tev:PullMessages>`;
  const reply = await call(new URL(sub.address), envelope(header, body), 'PullMessages', t, o, 'ONVIF_SUBSCRIPTION_LOST');
  if (reply.name !== 'PullMessagesResponse') throw new MatThanError('ONVIF_NOT_ONVIF', `PullMessages (${where(t)}): unexpected ${reply.name.slice(0, 64)}`);
  return childrenNamed(reply, 'NotificationMessage').slice(0, MAX_NOTIFICATIONS).map(notification);
}

/** Renew; resolves with the newly granted lifetime (camera clock). */
export async function renew(t: PullPointTarget, sub: PullPointSubscription, terminationSec: number, clock: ClockRef, o: RequestOptions): Promise<number> {
  const header = security(t, clock) + addressed(sub, 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest');
  const body = `<wsnt:Renew><wsnt:TerminationTime>${isoSeconds(terminationSec)}</wsnt:TerminationTime></wsnt:Renew>`;
  const reply = await call(new URL(sub.address), envelope(header, body), 'Renew', t, o, 'ONVIF_SUBSCRIPTION_LOST');
  return granted(reply, clock, 'Renew', t);
}

export async function unsubscribe(t: PullPointTarget, sub: PullPointSubscription, clock: ClockRef, o: RequestOptions): Promise<void> {
  const header = security(t, clock) + addressed(sub, 'http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest');
  await call(new URL(sub.address), envelope(header, '<wsnt:Unsubscribe/>'), 'Unsubscribe', t, o, 'ONVIF_SUBSCRIPTION_LOST');
}
