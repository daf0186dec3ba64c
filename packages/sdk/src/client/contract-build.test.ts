/**
 * The package build marks the contract's module-level values pure (see
 * tsup.config.ts). These tests build the contract the same way and check that
 * the marks change nothing a program can observe, and that they let a bundle
 * with one operation drop the others.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { pureAnnotate, pureContract } from '../../tsup.config.ts';
import * as source from '../contract/index.ts';

const contractEntry = fileURLToPath(new URL('../contract/index.ts', import.meta.url));

async function bundle(stdin: string): Promise<string> {
  const result = await build({
    stdin: {
      contents: stdin,
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    minify: false,
    logLevel: 'silent',
    plugins: [pureContract],
  });
  return result.outputFiles[0]!.text;
}

describe('pure-marked contract build', () => {
  it('wraps module-level initializers that call or spread, and nothing else', () => {
    const out = pureAnnotate(
      [
        'const a = z.string().check(z.minLength(1));',
        'const b = { ...fields, c: 1 };',
        "const c = ['x', 'y'] as const;",
        'function f() { return g(); }',
      ].join('\n'),
      'x.ts',
    );
    expect(out.split('\n')).toEqual([
      'const a = /* @__PURE__ */ (() => (z.string().check(z.minLength(1))))();',
      'const b = /* @__PURE__ */ (() => ({ ...fields, c: 1 }))();',
      "const c = ['x', 'y'] as const;",
      'function f() { return g(); }',
    ]);
  });

  it('builds a contract that behaves like the source', async () => {
    const code = await bundle(`export * from ${JSON.stringify(contractEntry)};`);
    const built = (await import(
      `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
    )) as typeof source;
    const shape = (c: typeof source) =>
      c.listOperations().map((op) => [op.id, op.method, op.path, op.scope, op.write, op.status]);
    expect(shape(built)).toEqual(shape(source));
    expect(built.eventTypes).toEqual(source.eventTypes);
    const bad = { patientId: 'pat_x', service: ' ', startsAt: 'x', endsAt: 'y' };
    const issues = (c: typeof source) =>
      c.appointmentsCreate.body.safeParse(bad).error?.issues.map((i) => i.path.join('.'));
    expect(issues(built)).toEqual(issues(source));
    expect(built.appointmentsGet).toBe(built.operations.appointments.get);
  });

  it('lets a bundle that uses one operation drop the others', async () => {
    const code = await bundle(
      `import { appointmentsGet } from ${JSON.stringify(contractEntry)}; console.log(appointmentsGet);`,
    );
    expect(code).toContain("'appointments.get'".replace(/'/g, '"'));
    for (const other of ['appointments.create', 'invoices.create', 'payment.received']) {
      expect(code, other).not.toContain(`"${other}"`);
    }
  });
});
