import t from 'tap';
import { findFirst, parseXml, path, textOf } from '../../../src/onvif/xml-lite.js';

const XML_ERROR = { name: 'XmlError' };
const reply = `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment --><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"
  xmlns:tt="http://www.onvif.org/ver10/schema"><env:Body><tev:PullMessagesResponse xmlns:tev="http://www.onvif.org/ver10/events/wsdl">
  <wsnt:NotificationMessage><wsnt:Topic Dialect="x">tns1:VideoSource/MotionAlarm</wsnt:Topic>
  <wsnt:Message><tt:Message PropertyOperation='Changed'><tt:Data><tt:SimpleItem Name="State" Value="true"/></tt:Data></tt:Message></wsnt:Message>
  </wsnt:NotificationMessage><Text><![CDATA[a <raw> b]]> &amp; &#x41;&#66;</Text></tev:PullMessagesResponse></env:Body></env:Envelope>`;

t.test('prefixes dropped, namespaces resolved, attributes, text, CDATA and entities', async (t) => {
  const doc = parseXml(reply);
  t.equal(doc.name, 'Envelope');
  t.equal(doc.ns, 'http://www.w3.org/2003/05/soap-envelope');
  const res = path(doc, 'Body', 'PullMessagesResponse');
  t.equal(res?.ns, 'http://www.onvif.org/ver10/events/wsdl', 'a declaration on the element itself');
  t.equal(textOf(path(res, 'NotificationMessage', 'Topic')), 'tns1:VideoSource/MotionAlarm');
  t.equal(path(res, 'NotificationMessage', 'Topic')?.attrs.Dialect, 'x');
  const msg = path(res, 'NotificationMessage', 'Message', 'Message');
  t.equal(msg?.attrs.PropertyOperation, 'Changed', 'single-quoted attribute');
  t.same(findFirst(doc, 'SimpleItem')?.attrs, { Name: 'State', Value: 'true' });
  t.equal(textOf(findFirst(doc, 'Text')), 'a <raw> b & AB');
  t.equal(findFirst(doc, 'Nothing'), undefined);
});

t.test('malformed or hostile input is an XmlError, never a hang or an expansion', async (t) => {
  const bad = [
    '', 'just text', '<a>', '<a></b>', '<a><b></a></b>', '<a/><b/>', '<a x="1></a>', '<1a/>', '<a>&unknown;</a>', '<a>&#x110000;</a>',
    '<!DOCTYPE a [<!ENTITY x "xxxxxxxx">]><a>&x;</a>', '<a><!-- never closed</a>', '<a><![CDATA[ open</a>', 'text<a/>',
  ];
  for (const xml of bad) t.throws(() => parseXml(xml), XML_ERROR, JSON.stringify(xml.slice(0, 40)));
  t.throws(() => parseXml('<a>'.repeat(100) + '</a>'.repeat(100)), XML_ERROR, 'too deep');
  t.throws(() => parseXml(`<a>${'<b/>'.repeat(30_000)}</a>`), XML_ERROR, 'too many elements');
  t.doesNotThrow(() => parseXml(`<a>${'<b/>'.repeat(1000)}</a>`, { maxDepth: 4, maxElements: 2000 }));
});

t.test('linear on long hostile runs', async (t) => {
  const started = process.hrtime.bigint();
  t.throws(() => parseXml(`<a ${'xmlns '.repeat(200_000)}>`));
  t.throws(() => parseXml(`<a>${'<'.repeat(200_000)}</a>`));
  parseXml(`<a>${'&amp;'.repeat(100_000)}</a>`);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  t.ok(ms < 5000, `well under 5 s (took ${Math.round(ms)} ms)`);
});
