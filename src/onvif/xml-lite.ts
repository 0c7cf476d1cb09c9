// A small, defensive XML reader for camera replies (untrusted input). Why not a library: the only
// XML parser installed is onvif's transitive xml2js, which we may not import outside our adapter and
// which onvif feeds through a quadratic namespace regex. This one is a single forward scan (linear),
// refuses DTDs (no entity expansion), bounds depth and element count, and drops namespace prefixes
// from element and attribute names, since cameras use any prefix they like.

export interface XmlElement {
  /** Local name, prefix dropped. */
  name: string;
  /** Namespace URI ('' when none is in scope). */
  ns: string;
  /** Attributes by local name (xmlns declarations dropped). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated, entity-decoded character data of this element itself. */
  text: string;
}

export class XmlError extends Error {
  override name = 'XmlError';
}

export interface XmlLimits { maxDepth: number; maxElements: number }
const DEFAULT_LIMITS: XmlLimits = { maxDepth: 48, maxElements: 20_000 };

const NAME = /[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/y;
const ATTR = /\s+([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /\s*(\/?)>/y;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

const EMPTY_SCOPE = new Map<string, string>();
const local = (qname: string) => qname.slice(qname.indexOf(':') + 1);

function decode(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]{0,10});/g, (_m, e: string) => {
    if (NAMED[e]) return NAMED[e];
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(e) ? parseInt(e.slice(2), 16) : /^#\d{1,7}$/.test(e) ? parseInt(e.slice(1), 10) : NaN;
    if (!(code >= 0 && code <= 0x10ffff)) throw new XmlError(`unknown entity &${e.slice(0, 10)};`);
    return String.fromCodePoint(code);
  });
}

/** Parses a whole document and returns its root element; throws XmlError on anything malformed. */
export function parseXml(xml: string, limits: XmlLimits = DEFAULT_LIMITS): XmlElement {
  const stack: Array<{ el: XmlElement; qname: string; scope: Map<string, string> }> = [];
  let root: XmlElement | null = null;
  let elements = 0;
  let i = 0;
  const skipTo = (marker: string, from: number) => {
    const end = xml.indexOf(marker, from);
    if (end < 0) throw new XmlError(`unterminated ${marker === '-->' ? 'comment' : marker === ']]>' ? 'CDATA' : 'declaration'}`);
    return end;
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const textEnd = lt < 0 ? xml.length : lt;
    if (textEnd > i) {
      const text = xml.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.el.text += decode(text);
      else if (text.trim()) throw new XmlError('text outside the root element');
    }
    if (lt < 0) break;
    if (xml.startsWith('<?', lt)) i = skipTo('?>', lt + 2) + 2;
    else if (xml.startsWith('<!--', lt)) i = skipTo('-->', lt + 4) + 3;
    else if (xml.startsWith('<![CDATA[', lt)) {
      const end = skipTo(']]>', lt + 9);
      const top = stack[stack.length - 1];
      if (!top) throw new XmlError('CDATA outside the root element');
      top.el.text += xml.slice(lt + 9, end);
      i = end + 3;
    } else if (xml.startsWith('<!', lt)) throw new XmlError('DTDs are not accepted');
    else if (xml.startsWith('</', lt)) {
      const end = xml.indexOf('>', lt);
      const qname = end < 0 ? '' : xml.slice(lt + 2, end).trim();
      const top = stack.pop();
      if (!top || top.qname !== qname) throw new XmlError(`unexpected end tag </${qname.slice(0, 64)}>`);
      i = end + 1;
    } else {
      if (root && stack.length === 0) throw new XmlError('more than one root element');
      if (++elements > limits.maxElements) throw new XmlError(`more than ${limits.maxElements} elements`);
      if (stack.length >= limits.maxDepth) throw new XmlError(`nested deeper than ${limits.maxDepth}`);
      NAME.lastIndex = lt + 1;
      const qname = NAME.exec(xml)?.[0];
      if (!qname) throw new XmlError('bad element name');
      const el: XmlElement = { name: local(qname), ns: '', attrs: {}, children: [], text: '' };
      // Namespace scope: the parent's map, copied only when this element declares prefixes.
      let scope = stack[stack.length - 1]?.scope ?? EMPTY_SCOPE;
      let copied = false;
      let at = NAME.lastIndex;
      for (let m: RegExpExecArray | null; (ATTR.lastIndex = at, m = ATTR.exec(xml));) {
        const attr = m[1]!;
        const value = decode(m[2] ?? m[3] ?? '');
        if (attr === 'xmlns' || attr.startsWith('xmlns:')) {
          if (!copied) (scope = new Map(scope)), (copied = true);
          scope.set(attr === 'xmlns' ? '' : attr.slice(6), value);
        } else el.attrs[local(attr)] = value;
        at = ATTR.lastIndex;
      }
      const colon = qname.indexOf(':');
      el.ns = scope.get(colon < 0 ? '' : qname.slice(0, colon)) ?? '';
      TAG_END.lastIndex = at;
      const close = TAG_END.exec(xml);
      if (!close) throw new XmlError(`malformed tag <${qname.slice(0, 64)}>`);
      i = TAG_END.lastIndex;
      stack[stack.length - 1]?.el.children.push(el);
      root ??= el;
      if (close[1] !== '/') stack.push({ el, qname, scope });
    }
  }
  if (!root) throw new XmlError('no root element');
  if (stack.length) throw new XmlError(`unclosed element <${stack[stack.length - 1]!.qname.slice(0, 64)}>`);
  return root;
}

/** Direct children with this local name. */
export const childrenNamed = (el: XmlElement | undefined, name: string): XmlElement[] => el?.children.filter((c) => c.name === name) ?? [];

/** Follows a path of local names through first matches: path(env, 'Body', 'Fault'). */
export function path(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = el;
  for (const n of names) cur = cur?.children.find((c) => c.name === n);
  return cur;
}

/** First element with this local name at any depth (document order), including el itself. */
export function findFirst(el: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!el) return undefined;
  const todo: XmlElement[] = [el];
  for (let cur = todo.pop(); cur; cur = todo.pop()) {
    if (cur.name === name) return cur;
    for (let k = cur.children.length - 1; k >= 0; k--) todo.push(cur.children[k]!);
  }
  return undefined;
}

export const textOf = (el: XmlElement | undefined): string => el?.text.trim() ?? '';
