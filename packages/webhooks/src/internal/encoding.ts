/**
 * Byte codecs (UTF-8, base64, hex) that use `Buffer` where it exists and
 * portable code elsewhere.
 */
import { NodeBuffer } from './runtime.ts';

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Text as UTF-8 bytes.
 *
 * @example
 * ```ts
 * const bytes = utf8Encode('café'); // 5 bytes
 * ```
 */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Decodes UTF-8, throwing a `TypeError` on invalid sequences instead of inserting U+FFFD.
 *
 * @example
 * ```ts
 * const text = utf8DecodeStrict(body); // throws on 0xff
 * ```
 */
export function utf8DecodeStrict(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

/**
 * Bytes as standard base64, with padding.
 *
 * @example
 * ```ts
 * base64Encode(new Uint8Array([1, 2, 3])); // 'AQID'
 * ```
 */
export function base64Encode(bytes: Uint8Array): string {
  if (NodeBuffer) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes standard base64, padding optional (some senders strip it). Returns
 * `undefined` for anything else, so callers choose the error to raise.
 *
 * @example
 * ```ts
 * const key = base64Decode(secret.slice('whsec_'.length)); // undefined when not base64
 * ```
 */
export function base64Decode(text: string): Uint8Array | undefined {
  if (!BASE64.test(text) || text.length % 4 === 1) return undefined;
  if (NodeBuffer) return NodeBuffer.from(text, 'base64');
  const padded = text.replace(/=+$/, '').padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(padded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Bytes as lowercase hex.
 *
 * @example
 * ```ts
 * hexEncode(new Uint8Array([0xab, 0x01])); // 'ab01'
 * ```
 */
export function hexEncode(bytes: Uint8Array): string {
  if (NodeBuffer) {
    return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  }
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Decodes hex (either case); `undefined` when the text is not hex.
 *
 * @example
 * ```ts
 * hexDecode('AB01'); // Uint8Array [0xab, 0x01]
 * ```
 */
export function hexDecode(text: string): Uint8Array | undefined {
  if (!HEX.test(text)) return undefined;
  if (NodeBuffer) return NodeBuffer.from(text, 'hex');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}
