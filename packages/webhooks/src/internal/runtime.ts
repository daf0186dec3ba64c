/**
 * Finds `node:crypto` and `Buffer` without a static import, so the same build
 * runs in browsers and edge runtimes (Web Crypto) and still takes the
 * synchronous native path in Node, Deno and Bun. `process.getBuiltinModule`
 * exists in Node >= 22.3, Deno 2 and Bun;
 * elsewhere (browsers, Workers) it is absent and Web Crypto is used.
 */
import type * as NodeCryptoModule from 'node:crypto';

/**
 * The type of the `node:crypto` module.
 *
 * @example
 * ```ts
 * const crypto: NodeCrypto | undefined = nodeCrypto;
 * ```
 */
export type NodeCrypto = typeof NodeCryptoModule;

interface MaybeNodeGlobals {
  process?: { getBuiltinModule?: (id: string) => unknown };
  Buffer?: typeof Buffer;
}

function loadNodeCrypto(): NodeCrypto | undefined {
  try {
    const mod = (globalThis as MaybeNodeGlobals).process?.getBuiltinModule?.('node:crypto');
    return typeof (mod as NodeCrypto | undefined)?.createHmac === 'function'
      ? (mod as NodeCrypto)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `node:crypto` when the runtime has it; `undefined` in browsers and most edge runtimes.
 *
 * @example
 * ```ts
 * if (nodeCrypto) return hmacSync(hash, key, prefix, body, encoding);
 * ```
 */
export const nodeCrypto: NodeCrypto | undefined = loadNodeCrypto();

/**
 * Node's `Buffer` when present (Node, Deno, Bun), for its fast base64 and hex codecs.
 *
 * @example
 * ```ts
 * if (NodeBuffer) return NodeBuffer.from(text, 'base64');
 * ```
 */
export const NodeBuffer: typeof Buffer | undefined = (globalThis as MaybeNodeGlobals).Buffer;
