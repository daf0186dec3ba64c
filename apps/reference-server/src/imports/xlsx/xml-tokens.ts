/**
 * A small streaming XML tokenizer for the parts of an XLSX file. It scans
 * decoded text with `indexOf` and `charCodeAt` and calls a handler for each
 * start tag, end tag and run of text, so a worksheet is read at the speed
 * of a few string searches per cell instead of a general-purpose parser's
 * per-character state machine.
 *
 * What it accepts is what spreadsheet programs write: an XML declaration
 * and processing instructions (skipped), comments (skipped), CDATA sections
 * (passed on as text), self-closing tags (an open then a close), attributes
 * in single or double quotes, the five predefined entities and decimal or
 * hexadecimal character references. Element names lose their namespace
 * prefix (`x:row` is reported as `row`): SpreadsheetML is one vocabulary,
 * and some writers bind it to a prefix instead of the default namespace.
 * Attribute names are kept as written (`r:id` stays `r:id`).
 *
 * What it refuses, as `import_unreadable`: a DOCTYPE anywhere (so no entity
 * can be defined: billion laughs), an unknown entity, a reference to a
 * character XML does not allow, a character XML does not allow, `<` inside
 * an attribute value, a duplicate attribute, a mismatched or missing end
 * tag, a second root element, text outside the root, `]]>` in text, and any
 * single tag, comment, CDATA section or reference longer than the limit
 * the caller sets (the unconsumed tail kept between chunks never grows past
 * it). Text itself is passed on in pieces as it arrives, so a long text run
 * costs no memory here; the caller bounds what it keeps.
 */
import { ApiError } from '../../kernel/problem.ts';

/**
 * The attributes of the start tag being reported. The object is reused for
 * the next tag: read what you need inside `open`.
 *
 * @example
 * const kind = attributes.get('t') ?? 'n';
 */
export class XmlAttributes {
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  private count = 0;

  /** The value of the attribute `name` as written (prefix included), or undefined. */
  get(name: string): string | undefined {
    for (let i = 0; i < this.count; i++) if (this.names[i] === name) return this.values[i];
    return undefined;
  }

  /** Forgets the previous tag's attributes. */
  clear(): void {
    this.count = 0;
  }

  /** Adds one attribute; false when the tag already has one of that name. */
  add(name: string, value: string): boolean {
    if (this.get(name) !== undefined) return false;
    this.names[this.count] = name;
    this.values[this.count] = value;
    this.count += 1;
    return true;
  }
}

/**
 * What a reader does with the tokens: every callback is optional. A
 * self-closing tag is reported as `open` then `close`; text may arrive in
 * several pieces (split where the input was), entities already decoded.
 *
 * @example
 * const handler: XmlHandler = { open: (name, attrs) => name === 'row' && console.log(attrs.get('r')) };
 */
export interface XmlHandler {
  open?(name: string, attributes: XmlAttributes): void;
  close?(name: string): void;
  text?(text: string): void;
}

/**
 * The longest tag, comment, CDATA section or reference accepted for cells
 * of at most `maxCellChars` characters: a cell written with a ten-character
 * reference (`&#x10FFFF;`) per character, plus room for a root element's
 * namespace declarations.
 *
 * @example
 * tokenLimit(1_000); // 26_384
 */
export function tokenLimit(maxCellChars: number): number {
  return 10 * maxCellChars + 16_384;
}

/** Deeper than any SpreadsheetML part nests; stops a hostile file growing the element stack. */
const MAX_DEPTH = 256;

/** Characters XML 1.0 does not allow anywhere (lone surrogates cannot come out of a TextDecoder). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
const DISALLOWED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /
const BANG = 33; // !
const QUESTION = 63; // ?
const EQUALS = 61; // =
const AMP = 38; // &
const QUOTE = 34; // "
const APOS = 39; // '
const CR = 13;
const BRACKET = 93; // ]

const isSpace = (code: number) => code === 32 || code === 10 || code === 9 || code === 13;

function refused(detail: string): ApiError {
  return new ApiError('import_unreadable', `The XLSX file is refused: ${detail}.`);
}

const malformed = (detail: string) => refused(`its XML is malformed (${detail})`);

/** Where the name starting at `from` ends: at a space, `/`, `>` or `=`; throws on a character no name may hold. */
function nameEnd(buf: string, from: number): number {
  let i = from;
  for (; i < buf.length; i++) {
    const code = buf.charCodeAt(i);
    // Letters are above `>`: one comparison each.
    if (code > GT) continue;
    if (isSpace(code) || code === GT || code === SLASH || code === EQUALS) break;
    if (code === LT || code === AMP || code === QUOTE || code === APOS) {
      throw malformed('a name with a character names cannot have');
    }
  }
  return i;
}

/** True for a code point XML 1.0 allows as a character (its `Char` production). */
function isXmlChar(code: number): boolean {
  if (code < 0x20) return code === 9 || code === 10 || code === 13;
  return (
    (code <= 0xd7ff || code >= 0xe000) && code !== 0xfffe && code !== 0xffff && code <= 0x10ffff
  );
}

/** The text a reference (`amp`, `#233`, `#xE9`: what stands between `&` and `;`) stands for. */
function referenced(name: string): string {
  switch (name) {
    case 'lt':
      return '<';
    case 'gt':
      return '>';
    case 'amp':
      return '&';
    case 'quot':
      return '"';
    case 'apos':
      return "'";
  }
  if (name.charCodeAt(0) === 35) {
    const hex = name.charCodeAt(1) === 120;
    const digits = name.slice(hex ? 2 : 1);
    const code = (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)
      ? Number.parseInt(digits, hex ? 16 : 10)
      : Number.NaN;
    if (!isXmlChar(code)) {
      throw malformed(`a reference to a character XML does not allow (&${name.slice(0, 12)};)`);
    }
    return String.fromCodePoint(code);
  }
  throw malformed(`an unknown entity (&${name.slice(0, 20)};)`);
}

/**
 * `raw` with its entity and character references replaced by what they stand for.
 *
 * @example
 * decodeReferences('Fish &amp; chips &#x2014; &#233;'); // 'Fish & chips — é'
 */
export function decodeReferences(raw: string): string {
  let amp = raw.indexOf('&');
  if (amp === -1) return raw;
  let out = '';
  let from = 0;
  while (amp !== -1) {
    const semi = raw.indexOf(';', amp + 1);
    if (semi === -1) throw malformed('a reference without its ";"');
    out += raw.slice(from, amp) + referenced(raw.slice(amp + 1, semi));
    from = semi + 1;
    amp = raw.indexOf('&', from);
  }
  return out + raw.slice(from);
}

/**
 * Reads XML pushed in chunks of any size, calling `handler` as tokens
 * complete; throws `import_unreadable` as soon as the XML is refused.
 *
 * @example
 * const tokens = new XmlTokenizer({ open: (name) => names.push(name) }, tokenLimit(1_000));
 * tokens.write('<sheetData><row r="1"/></sh');
 * tokens.write('eetData>');
 * tokens.end(); // names: ['sheetData', 'row']
 */
export class XmlTokenizer {
  private readonly onOpen: NonNullable<XmlHandler['open']>;
  private readonly onClose: NonNullable<XmlHandler['close']>;
  private readonly onText: NonNullable<XmlHandler['text']>;
  private readonly maxToken: number;
  private readonly attributes = new XmlAttributes();
  /** Open elements: names as written, to match end tags, and as reported. */
  private readonly written: string[] = [];
  private readonly local: string[] = [];
  private depth = 0;
  private sawRoot = false;
  /** Input not consumed yet: the start of a tag, comment or reference the next chunk completes. */
  private tail = '';

  /** @param maxToken longest tag, comment, CDATA section or reference accepted (see `tokenLimit`). */
  constructor(handler: XmlHandler, maxToken: number) {
    const ignore = () => undefined;
    this.onOpen = handler.open ?? ignore;
    this.onClose = handler.close ?? ignore;
    this.onText = handler.text ?? ignore;
    this.maxToken = maxToken;
  }

  /** Reads the next chunk of the document. */
  write(chunk: string): void {
    if (DISALLOWED.test(chunk)) throw malformed('a character XML does not allow');
    const buf = this.tail + chunk;
    const end = buf.length;
    let at = 0;
    while (at < end) {
      const lt = buf.indexOf('<', at);
      if (lt === -1) {
        at = this.textUntilEnd(buf, at);
        break;
      }
      if (lt > at) this.text(buf, at, lt);
      const next = this.markup(buf, lt);
      if (next === -1) {
        at = lt;
        break;
      }
      // Checked when complete too: a chunk may hold a whole over-long tag.
      if (next - lt > this.maxToken) throw this.tooLong();
      at = next;
    }
    this.tail = buf.slice(at);
    if (this.tail.length > this.maxToken) throw this.tooLong();
  }

  private tooLong(): ApiError {
    return malformed(`a tag, comment or reference longer than ${this.maxToken} characters`);
  }

  /** Ends the document: anything left open is refused. */
  end(): void {
    const rest = this.tail;
    this.tail = '';
    if (rest.charCodeAt(0) === LT) throw malformed('the XML ends inside a tag or comment');
    if (rest !== '') this.text(rest, 0, rest.length);
    if (this.depth > 0) throw malformed(`<${this.written[this.depth - 1]}> is not closed`);
    if (!this.sawRoot) throw malformed('there is no root element');
  }

  /** Text from `from` to the end of the chunk: passed on, but for an unfinished reference, CR or `]]` kept for the next chunk. */
  private textUntilEnd(buf: string, from: number): number {
    let stop = buf.length;
    const amp = buf.lastIndexOf('&');
    if (amp >= from && buf.indexOf(';', amp) === -1) stop = amp;
    else if (buf.charCodeAt(stop - 1) === CR)
      stop -= 1; // the first half of a CRLF
    else {
      // One or two `]` may start a `]]>`.
      while (stop > from && stop > buf.length - 2 && buf.charCodeAt(stop - 1) === BRACKET) stop--;
    }
    if (stop > from) this.text(buf, from, stop);
    return stop;
  }

  private text(buf: string, from: number, to: number): void {
    let raw = buf.slice(from, to);
    if (this.depth === 0) {
      for (let i = 0; i < raw.length; i++) {
        if (!isSpace(raw.charCodeAt(i))) throw malformed('text outside the root element');
      }
      return;
    }
    if (raw.indexOf(']]>') !== -1) throw malformed('"]]>" in text');
    // Line ends are read as LF, as XML prescribes, before references (a `&#13;` stays a CR).
    if (raw.indexOf('\r') !== -1) raw = raw.replace(/\r\n?/g, '\n');
    this.onText(decodeReferences(raw));
  }

  /** Reads the markup starting at `buf[at] === '<'`; the index after it, or -1 when the chunk ends first. */
  private markup(buf: string, at: number): number {
    const next = buf.charCodeAt(at + 1);
    if (next === SLASH) return this.endTag(buf, at);
    if (next === QUESTION) {
      const close = buf.indexOf('?>', at + 2);
      return close === -1 ? -1 : close + 2;
    }
    if (next === BANG) return this.declaration(buf, at);
    if (Number.isNaN(next)) return -1;
    return this.startTag(buf, at);
  }

  /** A comment, a CDATA section or a DOCTYPE (refused). */
  private declaration(buf: string, at: number): number {
    if (buf.startsWith('<!--', at)) {
      const close = buf.indexOf('-->', at + 4);
      return close === -1 ? -1 : close + 3;
    }
    if (buf.startsWith('<![CDATA[', at)) {
      const close = buf.indexOf(']]>', at + 9);
      if (close === -1) return -1;
      if (this.depth === 0) throw malformed('a CDATA section outside the root element');
      const raw = buf.slice(at + 9, close);
      this.onText(raw.indexOf('\r') === -1 ? raw : raw.replace(/\r\n?/g, '\n'));
      return close + 3;
    }
    if (buf.startsWith('<!DOCTYPE', at)) {
      throw refused('its XML declares a DOCTYPE (entity definitions are not accepted)');
    }
    // Not yet any of the three, but the chunk may end before it could tell.
    const seen = buf.slice(at, at + 9);
    if (seen.length < 9 && ['<!--', '<![CDATA[', '<!DOCTYPE'].some((k) => k.startsWith(seen))) {
      return -1;
    }
    throw malformed(`an unknown declaration ${JSON.stringify(seen)}`);
  }

  private endTag(buf: string, at: number): number {
    if (this.depth === 0) throw malformed('an end tag with no element open');
    const close = buf.indexOf('>', at + 2);
    if (close === -1) return -1;
    const name = this.written[this.depth - 1] as string;
    let i = at + 2 + name.length;
    while (i < close && isSpace(buf.charCodeAt(i))) i++;
    if (i !== close || !buf.startsWith(name, at + 2)) {
      throw malformed(`</${buf.slice(at + 2, Math.min(close, at + 42))}> closes <${name}>`);
    }
    this.depth -= 1;
    this.onClose(this.local[this.depth] as string);
    return close + 1;
  }

  private startTag(buf: string, at: number): number {
    const end = buf.length;
    let i = nameEnd(buf, at + 1);
    if (i === end) return -1;
    if (i === at + 1) throw malformed('a "<" that starts no tag');
    const nameEnds = i;
    const attributes = this.attributes;
    attributes.clear();
    let selfClosing = false;
    for (;;) {
      const before = i;
      while (i < end && isSpace(buf.charCodeAt(i))) i++;
      if (i === end) return -1;
      const code = buf.charCodeAt(i);
      if (code === GT) break;
      if (code === SLASH) {
        if (i + 1 === end) return -1;
        if (buf.charCodeAt(i + 1) !== GT) throw malformed('a "/" inside a tag');
        selfClosing = true;
        i += 1;
        break;
      }
      if (i === before) throw malformed('attributes without whitespace between them');
      i = this.attribute(buf, i);
      if (i === -1) return -1;
    }
    const written = buf.slice(at + 1, nameEnds);
    const local = written.slice(written.indexOf(':') + 1);
    if (this.depth === 0) {
      if (this.sawRoot) throw malformed('a second root element');
      this.sawRoot = true;
    }
    this.onOpen(local, attributes);
    if (selfClosing) this.onClose(local);
    else {
      if (this.depth === MAX_DEPTH) throw malformed(`elements nested deeper than ${MAX_DEPTH}`);
      this.written[this.depth] = written;
      this.local[this.depth] = local;
      this.depth += 1;
    }
    return i + 1;
  }

  /** Reads `name="value"` from `i`; the index after its closing quote, or -1 when the chunk ends first. */
  private attribute(buf: string, start: number): number {
    const end = buf.length;
    let i = nameEnd(buf, start);
    if (i === start) throw malformed('an attribute without a name');
    const name = buf.slice(start, i);
    while (i < end && isSpace(buf.charCodeAt(i))) i++;
    if (i === end) return -1;
    if (buf.charCodeAt(i) !== EQUALS)
      throw malformed(`the attribute ${name.slice(0, 40)} has no value`);
    i += 1;
    while (i < end && isSpace(buf.charCodeAt(i))) i++;
    if (i === end) return -1;
    const quote = buf.charCodeAt(i);
    if (quote !== QUOTE && quote !== APOS)
      throw malformed(`the attribute ${name.slice(0, 40)} is not quoted`);
    // One pass finds the closing quote and notes whether the value needs more than a slice.
    let close = i + 1;
    let plain = true;
    for (; close < end; close++) {
      const code = buf.charCodeAt(close);
      if (code === quote) break;
      if (code === LT) throw malformed(`a "<" in the value of ${name.slice(0, 40)}`);
      if (code === AMP || code === CR || code === 10 || code === 9) plain = false;
    }
    if (close === end) return -1;
    let value = buf.slice(i + 1, close);
    // Attribute values read line ends and tabs as spaces, as XML prescribes (references excepted).
    if (!plain) value = decodeReferences(value.replace(/\r\n|[\t\n\r]/g, ' '));
    if (!this.attributes.add(name, value)) {
      throw malformed(`the attribute ${name.slice(0, 40)} is given twice`);
    }
    return close + 1;
  }
}
