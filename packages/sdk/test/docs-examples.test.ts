/**
 * docs/sdk.md promises a runnable example for every feature. This test runs
 * them: each ```js block that names its file (`// calls.mjs`) is written next
 * to this test, imported as the reader would run it (against the in-memory
 * fake API set up by `setup.mjs`), and what it prints is checked where the
 * guide states the output. A guide edit that breaks an example fails here.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test, vi } from 'vitest';

const guide = readFileSync(fileURLToPath(new URL('../../../docs/sdk.md', import.meta.url)), 'utf8');
const examples = [...guide.matchAll(/```js\n\/\/ ([\w-]+\.mjs)[^\n]*\n([\s\S]*?)```/g)].map(
  ([, name, code]) => ({ name: name as string, code: `// ${name}\n${code}` }),
);
const dir = fileURLToPath(new URL(`./.docs-examples-${process.pid}/`, import.meta.url));

/** What the guide says an example prints, where it says it. */
const printed: Record<string, unknown[][]> = {
  'calls.mjs': [['scheduled', '2026-12-02T09:00:00Z', 'cancelled']],
  'idempotency.mjs': [[true, true]],
  'timeouts.mjs': [[true], [true]],
  'custom-fetch.mjs': [[1]],
  'clock.mjs': [[[250, 500]]],
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/sdk.md examples', () => {
  test('the guide has a setup and an example per feature', () => {
    expect(examples.map((e) => e.name)).toContain('setup.mjs');
    expect(examples.length).toBeGreaterThanOrEqual(15);
  });

  mkdirSync(dir, { recursive: true });
  for (const { name, code } of examples) writeFileSync(join(dir, name), code);

  for (const { name } of examples.filter((e) => e.name !== 'setup.mjs')) {
    test(`${name} runs`, async () => {
      const lines: unknown[][] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args) => lines.push(args));
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        await import(join(dir, name));
      } finally {
        log.mockRestore();
        warn.mockRestore();
      }
      expect(lines.length, `${name} printed nothing`).toBeGreaterThan(0);
      for (const expected of printed[name] ?? []) expect(lines).toContainEqual(expected);
    });
  }
});
