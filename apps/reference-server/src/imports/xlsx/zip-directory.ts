/**
 * Reads and checks a zip's central directory before anything is inflated:
 * entry count, declared sizes (each and in total), the compression ratio of
 * each entry, no encryption, no absolute or `..` paths, no nested archives,
 * only the stored and deflate methods. An XLSX that fails any check is
 * refused as a whole; nothing in it is decompressed.
 */
import { ApiError } from '../../kernel/problem.ts';

/**
 * Limits on a zip, checked on its central directory.
 *
 * @example
 * const limits: ZipLimits = { maxEntries: 256, maxUncompressedBytes: 50_000_000, maxRatio: 100 };
 */
export interface ZipLimits {
  maxEntries: number;
  /** The sum of the declared uncompressed sizes. */
  maxUncompressedBytes: number;
  /** Uncompressed size over compressed size, per entry. */
  maxRatio: number;
}

/**
 * One entry of the central directory.
 *
 * @example
 * const sheet = entries.find((e) => e.name === 'xl/worksheets/sheet1.xml');
 */
export interface ZipEntry {
  name: string;
  method: 0 | 8;
  compressedSize: number;
  uncompressedSize: number;
  /** Where the entry's data starts (after its local header). */
  dataOffset: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const NESTED = /\.(zip|xlsx|xlsm|xlsb|docx|jar|7z|rar|gz|tgz|bz2|xz)$/i;

function refuse(detail: string): ApiError {
  return new ApiError('import_unreadable', `The XLSX file is refused: ${detail}.`);
}

/**
 * The entries of `zip` once every check has passed; throws `import_unreadable` otherwise.
 *
 * @example
 * const entries = readZipDirectory(bytes, { maxEntries: 256, maxUncompressedBytes: 50_000_000, maxRatio: 100 });
 */
export function readZipDirectory(zip: Uint8Array, limits: ZipLimits): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end record is in the last 22 + 65,535 (comment) bytes.
  let end = -1;
  for (let at = zip.byteLength - 22; at >= Math.max(0, zip.byteLength - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === EOCD) {
      end = at;
      break;
    }
  }
  if (end < 0) throw refuse('it is not a zip archive (no central directory)');
  const count = view.getUint16(end + 10, true);
  const directorySize = view.getUint32(end + 12, true);
  const directoryOffset = view.getUint32(end + 16, true);
  if (count === 0xffff || directoryOffset === 0xffffffff)
    throw refuse('ZIP64 archives are not accepted');
  if (count > limits.maxEntries)
    throw refuse(`it has ${count} entries, more than ${limits.maxEntries}`);
  if (directoryOffset + directorySize > end) throw refuse('its central directory is damaged');

  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let total = 0;
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || view.getUint32(at, true) !== CENTRAL)
      throw refuse('its central directory is damaged');
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const compressedSize = view.getUint32(at + 20, true);
    const uncompressedSize = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const localOffset = view.getUint32(at + 42, true);
    const name = decoder.decode(zip.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;

    if (flags & 0x0001 || flags & 0x0040) throw refuse('it is encrypted');
    if (method !== 0 && method !== 8) throw refuse(`an entry uses compression method ${method}`);
    if (
      name.startsWith('/') ||
      name.startsWith('\\') ||
      /^[A-Za-z]:/.test(name) ||
      name.split(/[\\/]/).includes('..')
    ) {
      throw refuse('an entry has an absolute or ".." path');
    }
    if (NESTED.test(name)) throw refuse('it contains a nested archive');
    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff) {
      throw refuse('ZIP64 entries are not accepted');
    }
    const ratio = uncompressedSize / Math.max(compressedSize, 1);
    if (ratio > limits.maxRatio) {
      throw refuse(`an entry expands ${Math.round(ratio)} times, more than ${limits.maxRatio}:1`);
    }
    total += uncompressedSize;
    if (total > limits.maxUncompressedBytes) {
      throw refuse(`it expands to more than ${limits.maxUncompressedBytes} bytes`);
    }
    if (localOffset + 30 > zip.byteLength || view.getUint32(localOffset, true) !== LOCAL) {
      throw refuse('an entry points outside the archive');
    }
    const dataOffset =
      localOffset +
      30 +
      view.getUint16(localOffset + 26, true) +
      view.getUint16(localOffset + 28, true);
    if (dataOffset + compressedSize > zip.byteLength)
      throw refuse('an entry points outside the archive');
    entries.push({ name, method, compressedSize, uncompressedSize, dataOffset });
  }
  return entries;
}
