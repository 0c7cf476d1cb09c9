// WS-Discovery reply parsing (prefixes vary between vendors, garbage must be ignored) and the
// expansion of unicast sweep targets.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { isMatThanError } from '../../../src/errors.js';
import { MAX_PACKET_BYTES, buildProbe, expandCidr, expandTargets, parseProbeMatches } from '../../../src/onvif/discovery.js';

const PROBE_ID = 'urn:uuid:11111111-2222-3333-4444-555555555555';

/** A ProbeMatches reply; `p` is the discovery prefix ('' = default namespace), `a` the addressing one. */
function reply(p: string, a: string, matches: string[], relatesTo: string | null = PROBE_ID): string {
  const d = p ? `${p}:` : '';
  const w = a ? `${a}:` : '';
  const ns = `${p ? `xmlns:${p}` : 'xmlns'}="http://schemas.xmlsoap.org/ws/2005/04/discovery" ${a ? `xmlns:${a}` : ''}="http://schemas.xmlsoap.org/ws/2004/08/addressing"`;
  return `<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ${ns}><s:Header>` +
    (relatesTo === null ? '' : `<${w}RelatesTo>${relatesTo}</${w}RelatesTo>`) +
    `</s:Header><s:Body><${d}ProbeMatches>${matches.join('')}</${d}ProbeMatches></s:Body></s:Envelope>`;
}

function match(p: string, a: string, uuid: string, extra = ''): string {
  const d = p ? `${p}:` : '';
  const w = a ? `${a}:` : '';
  return `<${d}ProbeMatch><${w}EndpointReference><${w}Address>${uuid}</${w}Address></${w}EndpointReference>` +
    `<${d}Types>dn:NetworkVideoTransmitter</${d}Types>` +
    `<${d}Scopes>onvif://www.onvif.org/name/Cam%20C%E1%BB%95ng onvif://www.onvif.org/hardware/IPC-123\n onvif://www.onvif.org/type/video_encoder</${d}Scopes>` +
    `<${d}XAddrs>http://192.168.1.64/onvif/device_service http://[fe80::1]/onvif/device_service not-a-url</${d}XAddrs>${extra}</${d}ProbeMatch>`;
}

t.test('parses ProbeMatches whatever the namespace prefixes', async (t) => {
  for (const [p, a] of [['d', 'wsa'], ['wsdd', 'wsa5'], ['', ''], ['SOAP-ENV-d', 'a']] as const) {
    const [c, ...rest] = parseProbeMatches(Buffer.from(reply(p, a, [match(p, a, 'urn:uuid:cam-1')])), '192.168.1.64', PROBE_ID);
    t.equal(rest.length, 0, `prefix '${p}': one candidate`);
    t.same(c, {
      uuid: 'urn:uuid:cam-1',
      xaddrs: ['http://192.168.1.64/onvif/device_service', 'http://[fe80::1]/onvif/device_service'],
      scopes: ['onvif://www.onvif.org/name/Cam%20C%E1%BB%95ng', 'onvif://www.onvif.org/hardware/IPC-123', 'onvif://www.onvif.org/type/video_encoder'],
      name: 'Cam Cổng',
      hardware: 'IPC-123',
      from: '192.168.1.64',
    }, `prefix '${p}' / '${a}'`);
  }
});

t.test('several matches in one packet stay distinct; entities are decoded', async (t) => {
  const xml = reply('d', 'wsa', [match('d', 'wsa', 'urn:uuid:a&amp;b'), match('d', 'wsa', 'urn:uuid:c')]);
  t.same(parseProbeMatches(xml, '10.0.0.9').map((c) => c.uuid), ['urn:uuid:a&b', 'urn:uuid:c']);
});

t.test('RelatesTo: another probe is dropped, a missing one is tolerated', async (t) => {
  const one = [match('d', 'wsa', 'urn:uuid:cam-1')];
  t.same(parseProbeMatches(reply('d', 'wsa', one, 'urn:uuid:someone-else'), '10.0.0.9', PROBE_ID), []);
  t.equal(parseProbeMatches(reply('d', 'wsa', one, null), '10.0.0.9', PROBE_ID).length, 1);
});

t.test('a match without an address, or with junk in it, is skipped', async (t) => {
  const noAddress = '<d:ProbeMatch><d:XAddrs>http://10.0.0.1/</d:XAddrs></d:ProbeMatch>';
  const junk = match('d', 'wsa', 'urn:uuid:x <b>y</b>');
  t.same(parseProbeMatches(reply('d', 'wsa', [noAddress, junk, match('d', 'wsa', 'urn:uuid:ok')]), '10.0.0.9').map((c) => c.uuid), ['urn:uuid:ok']);
});

t.test('garbage, truncated XML, other messages and oversized packets give nothing', async (t) => {
  const truncated = reply('d', 'wsa', [match('d', 'wsa', 'urn:uuid:cam-1')]).slice(0, 300);
  const cases: Array<[string, Buffer | string]> = [
    ['random bytes', randomBytes(2048)],
    ['empty', Buffer.alloc(0)],
    ['not XML', 'HTTP/1.1 200 OK\r\n\r\nhello'],
    ['truncated', truncated],
    ['our own probe', buildProbe(PROBE_ID)],
    ['unclosed ProbeMatches', '<d:ProbeMatches>' + match('d', 'wsa', 'urn:uuid:cam-1')],
    ['a flood of open tags', `<d:ProbeMatches>${'<d:ProbeMatch '.repeat(4000)}</d:ProbeMatches>`],
  ];
  for (const [what, packet] of cases) t.same(parseProbeMatches(packet, '10.0.0.9'), [], what);

  const valid = reply('d', 'wsa', [match('d', 'wsa', 'urn:uuid:big')]);
  const padded = valid.replace('<s:Body>', `<s:Body><!--${'x'.repeat(MAX_PACKET_BYTES)}-->`);
  t.same(parseProbeMatches(Buffer.from(padded), '10.0.0.9'), [], 'over 64 KiB is refused even if valid');
  t.equal(parseProbeMatches(Buffer.from(valid), '10.0.0.9').length, 1, 'the same reply under the cap parses');
});

t.test('the probe we send is a WS-Discovery Probe for NetworkVideoTransmitter', async (t) => {
  const xml = buildProbe(PROBE_ID);
  t.match(xml, /<a:MessageID>urn:uuid:11111111-2222-3333-4444-555555555555<\/a:MessageID>/);
  t.match(xml, /xmlns:d="urn:schemas-xmlsoap-org:ws:2005:04:discovery"/);
  t.match(xml, /<d:Types>dn:NetworkVideoTransmitter<\/d:Types>/);
  t.match(xml, /http:\/\/schemas\.xmlsoap\.org\/ws\/2005\/04\/discovery\/Probe/);
});

t.test('CIDR expansion', async (t) => {
  const c24 = expandCidr('192.168.10.77/24');
  t.equal(c24.length, 254, '/24 gives 254 hosts');
  t.equal(c24[0], '192.168.10.1');
  t.equal(c24.at(-1), '192.168.10.254');
  t.same(expandCidr('10.0.0.5/32'), ['10.0.0.5'], '/32 is one host');
  t.same(expandCidr('10.0.0.5'), ['10.0.0.5'], 'a bare address is one host');
  t.same(expandCidr('10.0.0.4/31'), ['10.0.0.4', '10.0.0.5'], '/31 has two hosts');
  t.same(expandCidr('10.0.0.9/30'), ['10.0.0.9', '10.0.0.10']);
  t.same(expandCidr('255.255.255.0/24').at(-1), '255.255.255.254', 'no signed-integer overflow at the top');

  const refused = (spec: string, why: RegExp) => {
    try {
      expandCidr(spec);
      t.fail(`${spec} should be refused`);
    } catch (err) {
      t.ok(isMatThanError(err, 'ONVIF_DISCOVERY_TARGET_INVALID'), `${spec}: ONVIF_DISCOVERY_TARGET_INVALID`);
      t.match((err as Error).message, why);
    }
  };
  refused('192.168.10.0/23', /512 addresses; scan at most a \/24/);
  refused('10.0.0.0/8', /at most a \/24/);
  refused('10.0.0.0/33', /not valid/);
  refused('10.0.0.256', /not an IPv4/);
  refused('camera.local', /not an IPv4/);
  refused('10.0.0.0/24/1', /not an IPv4/);

  t.same(expandTargets(['10.0.0.1', '10.0.0.0/30', '10.0.0.2']), ['10.0.0.1', '10.0.0.2'], 'targets are de-duplicated');
});
