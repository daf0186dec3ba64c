/**
 * Cross-check against an independent parser: python-hl7 (Debian's
 * `python3-hl7`, also the source of the `mllp_send` the server's tests use).
 * For every value position of the sample messages and of hand-written ones
 * with escapes and repetitions, `getValue` must read what python-hl7's
 * `extract_field` reads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { getValue } from './message/access.ts';
import { parseMessage } from './message/parse.ts';
import { serializeMessage } from './message/serialize.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = `
import hl7, json, sys
data = json.load(sys.stdin)
out = []
for item in data:
    m = hl7.parse(item["text"])
    out.append([m.extract_field(*p) for p in item["positions"]])
print(json.dumps(out))
`;

const fixtures = new URL('./__fixtures__/', import.meta.url);
const texts = [
  ...readdirSync(fixtures)
    .filter((name) => name.endsWith('.hl7'))
    .map((name) => readFileSync(new URL(name, fixtures)).toString('utf8')),
  'MSH|^~\\&|APP|FAC|||20260301||ADT^A01|X1|P|2.5\rPID|1||A\\F\\B^^^H\\T\\C&1.2&ISO^MR~C\\S\\D\\R\\E||Fam\\E\\ily^Giv^^^^^L~Other^One\rZXY|1|a&b&c^d~e\rNTE|||',
];

test('python-hl7 reads every value the way this parser does', () => {
  if (!existsSync(PYTHON)) throw new Error('python3 is missing: apt-get install -y python3-hl7');
  const requests = texts.map((text) => {
    const message = parseMessage(text);
    const wire = serializeMessage(message);
    const positions: [string, number, number, number, number, number][] = [];
    const seen = new Map<string, number>();
    for (const segment of message.segments) {
      const occurrence = (seen.get(segment.name) ?? 0) + 1;
      seen.set(segment.name, occurrence);
      segment.fields.forEach((field, f) => {
        if (segment.name === 'MSH' && f < 2) return;
        field.forEach((repetition, r) => {
          repetition.forEach((component, c) => {
            component.forEach((_, s) => {
              positions.push([segment.name, occurrence, f + 1, r + 1, c + 1, s + 1]);
            });
          });
        });
      });
    }
    return { text: wire, positions, message };
  });
  const output = execFileSync(PYTHON, ['-c', SCRIPT], {
    input: JSON.stringify(requests.map(({ text, positions }) => ({ text, positions }))),
    encoding: 'utf8',
  });
  const theirs = JSON.parse(output) as string[][];
  let compared = 0;
  requests.forEach(({ message, positions }, i) => {
    positions.forEach(([name, occurrence, field, repetition, component, subcomponent], j) => {
      const segment = message.segments.filter((s) => s.name === name)[occurrence - 1];
      const ours = getValue(segment, field, { repetition, component, subcomponent });
      expect(
        ours,
        `${name}[${occurrence}]-${field}[${repetition}].${component}.${subcomponent}`,
      ).toBe(theirs[i]![j]);
      compared++;
    });
  });
  expect(compared).toBeGreaterThan(1_000);
});
