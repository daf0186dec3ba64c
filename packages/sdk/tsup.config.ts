import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';
import { defineConfig } from 'tsup';
import ts from 'typescript';
import { packageBuild } from '../../scripts/tsup-preset.ts';

/**
 * Marks every value the contract builds at module scope as pure, so bundlers
 * drop the schemas and operations an app does not use. Bundlers cannot infer
 * it: `z.string().check(...)` or `{ ...fields }` might have side effects as far
 * as they know, so without the mark importing one operation keeps them all.
 * Each such initializer becomes `/* @__PURE__ *\/ (() => (init))()`, which
 * keeps its meaning and lets the bundler drop it when nothing uses it. The
 * contract's module-level initializers only build schemas, so the mark is true.
 *
 * @example
 * pureAnnotate("export const a = z.string().check(z.minLength(1));", 'a.ts');
 * // "export const a = /* @__PURE__ *\/ (() => (z.string().check(z.minLength(1))))();"
 */
export function pureAnnotate(code: string, fileName: string): string {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true);
  const builds = (node: ts.Node): boolean =>
    !ts.isFunctionLike(node) &&
    (ts.isCallExpression(node) ||
      ts.isNewExpression(node) ||
      ts.isSpreadAssignment(node) ||
      ts.isSpreadElement(node) ||
      (ts.forEachChild(node, (child) => builds(child) || undefined) ?? false));
  const edits: Array<{ start: number; end: number }> = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const init = declaration.initializer;
      if (init && builds(init)) edits.push({ start: init.getStart(source), end: init.getEnd() });
    }
  }
  let out = code;
  for (const { start, end } of edits.reverse()) {
    const init = out.slice(start, end);
    out = `${out.slice(0, start)}/* @__PURE__ */ (() => (${init}))()${out.slice(end)}`;
  }
  return out;
}

/**
 * The esbuild plugin applying {@link pureAnnotate} to the contract's sources.
 *
 * @example
 * await esbuild.build({ entryPoints: ['src/contract/index.ts'], bundle: true, plugins: [pureContract] });
 */
export const pureContract: Plugin = {
  name: 'pure-contract',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]contract[\\/].*\.ts$/ }, async (args) => ({
      contents: pureAnnotate(await readFile(args.path, 'utf8'), args.path),
      loader: 'ts',
    }));
  },
};

export default defineConfig(packageBuild(import.meta.dirname, { esbuildPlugins: [pureContract] }));
