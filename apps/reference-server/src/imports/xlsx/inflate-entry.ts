/**
 * Inflates one zip entry in slices, so a caller can parse as it goes and
 * stop early; the bytes actually produced are counted and the entry is
 * refused as soon as it grows past the size its directory declared.
 */
import { Inflate } from 'fflate';
import { ApiError } from '../../kernel/problem.ts';
import type { ZipEntry } from './zip-directory.ts';

const SLICE = 16 * 1024;

/**
 * The uncompressed bytes of `entry`, slice by slice.
 *
 * @example
 * for (const chunk of inflateEntry(zip, entry)) parser.write(decoder.decode(chunk, { stream: true }));
 */
export function* inflateEntry(zip: Uint8Array, entry: ZipEntry): Generator<Uint8Array> {
  const data = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  let produced = 0;
  const account = (chunk: Uint8Array) => {
    produced += chunk.byteLength;
    if (produced > entry.uncompressedSize) {
      throw new ApiError(
        'import_unreadable',
        'The XLSX file is refused: an entry is larger than its declared size.',
      );
    }
  };
  if (entry.method === 0) {
    for (let at = 0; at < data.byteLength; at += SLICE) {
      const chunk = data.subarray(at, at + SLICE);
      account(chunk);
      yield chunk;
    }
    return;
  }
  let pending: Uint8Array[] = [];
  const inflate = new Inflate((chunk) => {
    account(chunk);
    pending.push(chunk);
  });
  try {
    for (let at = 0; at < data.byteLength; at += SLICE) {
      inflate.push(data.subarray(at, at + SLICE), at + SLICE >= data.byteLength);
      const ready = pending;
      pending = [];
      yield* ready;
    }
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError('import_unreadable', 'The XLSX file is refused: an entry does not inflate.');
  }
}
