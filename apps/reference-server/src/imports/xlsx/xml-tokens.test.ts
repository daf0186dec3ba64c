/**
 * The XLSX XML tokenizer: what spreadsheet writers emit reads back as the
 * right tokens however the text is cut into chunks; each malformed or
 * hostile construct is refused as `import_unreadable`; the unconsumed tail
 * is bounded. A property test checks the tokens against saxes, an
 * independent XML parser, on generated documents.
 */
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, test } from 'vitest';
import { decodeReferences, tokenLimit, XmlTokenizer } from './xml-tokens.ts';

type Token = ['open', string, Record<string, string>] | ['close', string] | ['text', string];

/** Attribute names the tests' documents use (the tokenizer reports values by name). */
const NAMES = ['r', 't', 's', 'b', 'xml:space', 'xmlns:x', 'xmlns:r'];

/** The tokens of `chunks` read one after the other, adjacent text merged. */
function tokensOf(chunks: readonly string[], limit = tokenLimit(100)): Token[] {
  const tokens: Token[] = [];
  const reader = new XmlTokenizer(
    {
      open(name, attributes) {
        const found: Record<string, string> = {};
        for (const key of NAMES) {
          const value = attributes.get(key);
          if (value !== undefined) found[key] = value;
        }
        tokens.push(['open', name, found]);
      },
      close: (name) => tokens.push(['close', name]),
      text(text) {
        const last = tokens.at(-1);
        if (last?.[0] === 'text') last[1] += text;
        else tokens.push(['text', text]);
      },
    },
    limit,
  );
  for (const chunk of chunks) reader.write(chunk);
  reader.end();
  return tokens.filter((token) => token[0] !== 'text' || token[1] !== '');
}

/** The same document read by saxes, prefixes dropped from element names as the tokenizer does. */
function saxesTokensOf(xml: string): Token[] {
  const tokens: Token[] = [];
  const parser = new SaxesParser();
  const local = (name: string) => name.slice(name.indexOf(':') + 1);
  let depth = 0;
  const text = (value: string) => {
    // saxes reports the whitespace around the root too; the tokenizer only text inside it.
    if (depth === 0) return;
    const last = tokens.at(-1);
    if (last?.[0] === 'text') last[1] += value;
    else if (value !== '') tokens.push(['text', value]);
  };
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    depth += 1;
    tokens.push(['open', local(tag.name), { ...(tag.attributes as Record<string, string>) }]);
  });
  parser.on('closetag', (tag) => {
    depth -= 1;
    tokens.push(['close', local(tag.name)]);
  });
  parser.on('text', text);
  parser.on('cdata', text);
  parser.write(xml).close();
  return tokens;
}

/** `xml` cut at `cuts` (positions, in any order). */
function cut(xml: string, cuts: readonly number[]): string[] {
  const at = [...new Set(cuts.map((c) => c % (xml.length + 1)))].sort((a, b) => a - b);
  return [...at, xml.length].map((end, i) => xml.slice(i === 0 ? 0 : at[i - 1], end));
}

function refused(chunks: readonly string[], detail: RegExp, limit?: number): void {
  let error: unknown;
  try {
    tokensOf(chunks, limit);
  } catch (caught) {
    error = caught;
  }
  expect(error).toMatchObject({ code: 'import_unreadable' });
  expect((error as { detail?: string }).detail).toMatch(detail);
}

describe('what spreadsheet writers emit', () => {
  const sheet = [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n',
    '<!-- written by hand --><x:worksheet xmlns:x="urn:main" xmlns:r="urn:rel">',
    '<?mso-application progid="Excel.Sheet"?>',
    "<x:sheetData><x:row r='1' >",
    '<x:c r = "A1"\n\tt="inlineStr"><x:is><x:t xml:space="preserve"> a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; </x:t></x:is></x:c>',
    '<x:c r="B1" t="inlineStr"><x:is><x:t><![CDATA[<raw> & ]]]]><![CDATA[>]]></x:t></x:is></x:c>',
    '<x:c r="C1" s="&#49;&#x32;"><x:v>&#233;&#x1F600;</x:v></x:c><x:c r="D1"/>',
    '</x:row><x:row r="2"/></x:sheetData></x:worksheet>\n',
  ].join('');
  const expected: Token[] = [
    ['open', 'worksheet', { 'xmlns:x': 'urn:main', 'xmlns:r': 'urn:rel' }],
    ['open', 'sheetData', {}],
    ['open', 'row', { r: '1' }],
    ['open', 'c', { r: 'A1', t: 'inlineStr' }],
    ['open', 'is', {}],
    ['open', 't', { 'xml:space': 'preserve' }],
    ['text', ' a <b> & "c" \'d\' '],
    ['close', 't'],
    ['close', 'is'],
    ['close', 'c'],
    ['open', 'c', { r: 'B1', t: 'inlineStr' }],
    ['open', 'is', {}],
    ['open', 't', {}],
    ['text', '<raw> & ]]>'],
    ['close', 't'],
    ['close', 'is'],
    ['close', 'c'],
    ['open', 'c', { r: 'C1', s: '12' }],
    ['open', 'v', {}],
    ['text', 'é😀'],
    ['close', 'v'],
    ['close', 'c'],
    ['open', 'c', { r: 'D1' }],
    ['close', 'c'],
    ['close', 'row'],
    ['open', 'row', { r: '2' }],
    ['close', 'row'],
    ['close', 'sheetData'],
    ['close', 'worksheet'],
  ];

  test('declaration, instructions and comments skipped; prefixes dropped; CDATA, entities and references as text', () => {
    expect(tokensOf([sheet])).toEqual(expected);
    expect(saxesTokensOf(sheet)).toEqual(expected);
  });

  test('the same tokens with the document cut at every position, or fed a character at a time', () => {
    for (let at = 0; at <= sheet.length; at++) {
      expect(tokensOf([sheet.slice(0, at), sheet.slice(at)])).toEqual(expected);
    }
    expect(tokensOf([...sheet])).toEqual(expected);
  });

  test('line ends read as LF in text, as spaces in attribute values; a referenced CR stays', () => {
    expect(tokensOf(['<a b="1\r\n2\t3\n4&#13;">x\r\ny\rz&#13;</a>'])).toEqual([
      ['open', 'a', { b: '1 2 3 4\r' }],
      ['text', 'x\ny\nz\r'],
      ['close', 'a'],
    ]);
    // A CRLF cut between its two halves is still one line end.
    expect(tokensOf(['<a>x\r', '\ny</a>'])).toEqual(tokensOf(['<a>x\r\ny</a>']));
  });

  test('references decode; text with none comes back as it was', () => {
    expect(decodeReferences('Fish &amp; chips &#x2014; &#233;')).toBe('Fish & chips — é');
    expect(decodeReferences('plain')).toBe('plain');
  });

  test('a long text run passes in pieces: only tags and references are bounded', () => {
    const long = 'x'.repeat(200_000);
    const chunks = ['<a>', ...cut(long, [50_000, 100_000, 150_000]), '</a>'];
    expect(tokensOf(chunks, 1_000)).toEqual([
      ['open', 'a', {}],
      ['text', long],
      ['close', 'a'],
    ]);
  });

  test('the tag limit follows the cell limit', () => {
    expect(tokenLimit(1_000)).toBe(26_384);
  });
});

describe('malformed and hostile XML is refused', () => {
  const doctype = /declares a DOCTYPE \(entity definitions are not accepted\)/;

  test('a DOCTYPE, at the start, inside the root, or cut between chunks', () => {
    refused(['<?xml version="1.0"?><!DOCTYPE a [<!ENTITY l "lol">]><a>&l;</a>'], doctype);
    refused(['<a><b/><!DOCTYPE a></a>'], doctype);
    refused(['<a><!DOC', 'TYPE a></a>'], doctype);
    refused(['<a><!', 'ELEMENT a></a>'], /unknown declaration/);
  });

  test('unknown entities and references to characters XML does not allow', () => {
    refused(['<a>&lol;</a>'], /unknown entity \(&lol;\)/);
    refused(['<a b="&nbsp;"/>'], /unknown entity/);
    for (const reference of [
      '&#0;',
      '&#x1F;',
      '&#xD800;',
      '&#xFFFE;',
      '&#x110000;',
      '&#xZZ;',
      '&#;',
    ]) {
      refused([`<a>${reference}</a>`], /reference to a character XML does not allow/);
    }
    refused(['<a>fish & chips</a>'], /unknown entity|without its ";"/);
    refused(['<a>&amp</a>'], /without its ";"|ends inside/);
  });

  test('characters XML does not allow, raw', () => {
    refused(['<a>\u0000</a>'], /character XML does not allow/);
    refused(['<a b="\u0007"/>'], /character XML does not allow/);
    refused(['<a>\uffff</a>'], /character XML does not allow/);
  });

  test('tags that do not close, do not match or do not parse', () => {
    refused(['<a><b>text</b>'], /<a> is not closed/);
    refused(['<a><b'], /ends inside a tag/);
    refused(['<a><b></a></b>'], /<\/a> closes <b>/);
    refused(['<x:a></y:a>'], /<\/y:a> closes <x:a>/);
    refused(['<a></a></a>'], /end tag with no element open/);
    refused(['<a b="1<2"/>'], /"<" in the value of b/);
    refused(['<a b="1" b="2"/>'], /given twice/);
    refused(['<a b="1"c="2"/>'], /without whitespace/);
    refused(['<a b=1/>'], /not quoted/);
    refused(['<a b/>'], /has no value/);
    refused(['<a ="1"/>'], /without a name/);
    refused(['<a / >'], /"\/" inside a tag/);
    refused(['<a>< b/></a>'], /starts no tag/);
    refused(['<a>x]]>y</a>'], /"]]>" in text/);
    refused(['<a>x]', ']>y</a>'], /"]]>" in text/);
  });

  test('documents with no root, two roots, or text outside the root', () => {
    refused([''], /no root element/);
    refused(['<?xml version="1.0"?>  '], /no root element/);
    refused(['<a/><b/>'], /second root element/);
    refused(['text<a/>'], /text outside the root/);
    refused(['<![CDATA[x]]><a/>'], /CDATA section outside the root/);
  });

  test('a tag or comment longer than the limit, and nesting deeper than any part needs', () => {
    refused(
      ['<a>', `<b c="${'x'.repeat(600)}`, `${'x'.repeat(600)}"/>`, '</a>'],
      /longer than 1000/,
      1_000,
    );
    refused(['<a><!--', 'x'.repeat(2_000)], /longer than 1000/, 1_000);
    refused(['<a>&', 'x'.repeat(2_000)], /longer than 1000/, 1_000);
    refused(['<a>'.repeat(300)], /nested deeper than 256/);
  });

  test('property: any prefix of a valid document is refused, never a hang or a crash', () => {
    const xml = '<?xml version="1.0"?><a x="1"><!--c--><b>t&amp;u<![CDATA[v]]></b></a>';
    for (let at = 0; at < xml.length; at++) {
      refused([xml.slice(0, at)], /malformed/);
    }
  });
});

/** A character XML allows in text, as one string. */
const xmlChar = fc
  .oneof(
    fc.constantFrom('<', '>', '&', '"', "'", '\r', '\n', '\t', ' ', ']', '\r\n', 'é'),
    fc.integer({ min: 0x20, max: 0x10ffff }),
  )
  .filter((c) => typeof c === 'string' || c < 0xd800 || (c > 0xdfff && c < 0xfffe) || c > 0xffff)
  .map((c) => (typeof c === 'string' ? c : String.fromCodePoint(c)));

/** How a character is written: as itself (where XML lets it be), or as a reference. */
function written(char: string, how: number, quote?: string): string {
  const code = char.codePointAt(0) as number;
  const named: Record<string, string> = {
    '<': 'lt',
    '>': 'gt',
    '&': 'amp',
    '"': 'quot',
    "'": 'apos',
  };
  // `>` raw could complete a `]]>`; a quote raw would end the attribute value.
  const rawAllowed = !['<', '&', '>'].includes(char) && char !== quote;
  if (how === 0 && rawAllowed) return char;
  if (how === 1 && named[char]) return `&${named[char]};`;
  if (how === 2 && char.length <= 2) return `&#${code};`;
  if (char === '\r\n') return '&#13;&#10;';
  return `&#x${code.toString(16)};`;
}

/** Text as a writer might put it in an element: characters raw or referenced, some in CDATA sections. */
const elementText = fc
  .array(
    fc.oneof(
      fc.tuple(xmlChar, fc.nat(3)).map(([char, how]) => written(char, how)),
      // Printable ASCII (the default unit), so no character XML refuses.
      fc
        .string({ maxLength: 8 })
        .filter((s) => !s.includes(']]>'))
        .map((s) => `<![CDATA[${s}]]>`),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

const attributeValue = fc
  .tuple(fc.constantFrom('"', "'"), fc.array(fc.tuple(xmlChar, fc.nat(3)), { maxLength: 8 }))
  .map(
    ([quote, chars]) =>
      `${quote}${chars.map(([c, how]) => written(c, how, quote)).join('')}${quote}`,
  );

const space = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ');

describe('property: the same tokens as saxes', () => {
  test('generated shared-strings and sheet documents, cut into random chunks', () => {
    const cell = fc
      .tuple(fc.constantFrom('c', 'x:c'), attributeValue, space, elementText, fc.boolean())
      .map(([name, value, gap, text, selfClosing]) =>
        selfClosing
          ? `<${name} r=${value}${gap}/>`
          : `<${name}${gap || ' '}t${gap}=${gap}${value}><v>${text}</v><!-- ${gap} --></${name}${gap}>`,
      );
    const document = fc
      .array(fc.array(cell, { maxLength: 4 }), { maxLength: 5 })
      .map(
        (rows) =>
          `<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns:x="urn:x"><?pi data?>${rows.map((cells) => `<si><t xml:space='preserve'>${cells.join('')}</t></si>`).join('\n')}</sst>`,
      );
    fc.assert(
      fc.property(document, fc.array(fc.nat(), { maxLength: 6 }), (xml, cuts) => {
        expect(tokensOf(cut(xml, cuts))).toEqual(saxesTokensOf(xml));
      }),
      { numRuns: 400 },
    );
  });
});
