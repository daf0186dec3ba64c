/**
 * The streaming MLLP decoder: feed it bytes as they arrive and it returns
 * the complete frames, whether a frame came split over many reads or many
 * frames came in one read. The size of a frame is checked as its bytes
 * arrive, so an endless frame is refused after `maxFrameBytes`, not after
 * memory runs out. Bytes outside any frame (other than whitespace between
 * frames) are handed back as `unframed`, for the caller to keep or log; a
 * start block inside a frame abandons the unfinished one the same way.
 */
import { MllpFrameError } from '../errors.ts';
import { MLLP_CARRIAGE_RETURN, MLLP_END_BLOCK, MLLP_START_BLOCK } from './frame.ts';

/**
 * Options of {@link MllpDecoder}.
 *
 * @example
 * new MllpDecoder({ maxFrameBytes: 256 * 1024 });
 */
export interface MllpDecoderOptions {
  /** Largest message between VT and FS, in bytes (default 1 MiB). */
  readonly maxFrameBytes?: number;
}

/**
 * What one `push` produced.
 *
 * @example
 * const { frames, unframed }: MllpChunk = decoder.push(chunk);
 */
export interface MllpChunk {
  /** Complete messages (without VT, FS and CR), in arrival order. */
  readonly frames: Uint8Array[];
  /** Bytes that belonged to no complete frame. */
  readonly unframed: Uint8Array[];
}

function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const isBlank = (bytes: Uint8Array) =>
  bytes.every((b) => b === 0x0d || b === 0x0a || b === 0x20 || b === 0x09);

/**
 * Splits an MLLP byte stream into frames.
 *
 * @example
 * const decoder = new MllpDecoder({ maxFrameBytes: 1_048_576 });
 * socket.on('data', (chunk) => {
 *   for (const frame of decoder.push(chunk).frames) handle(frame);
 * });
 */
export class MllpDecoder {
  readonly maxFrameBytes: number;
  #inFrame = false;
  #skipCr = false;
  #parts: Uint8Array[] = [];
  #size = 0;
  #unframedSize = 0;

  constructor(options: MllpDecoderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? 1_048_576;
  }

  /** Bytes of the frame in progress. */
  get buffered(): number {
    return this.#size;
  }

  /** True between a start block and its end block. */
  get inFrame(): boolean {
    return this.#inFrame;
  }

  /**
   * Feeds bytes; returns the frames they completed. Throws an
   * `MllpFrameError` (`frame_too_large`, or `unframed_bytes` after as many
   * bytes outside any frame) once the limit is passed; the stream cannot be
   * trusted after that and should be closed.
   */
  push(chunk: Uint8Array): MllpChunk {
    const frames: Uint8Array[] = [];
    const unframed: Uint8Array[] = [];
    let at = 0;
    if (this.#skipCr && chunk.length > 0) {
      this.#skipCr = false;
      if (chunk[0] === MLLP_CARRIAGE_RETURN) at = 1;
    }
    while (at < chunk.length) {
      if (!this.#inFrame) {
        const start = chunk.indexOf(MLLP_START_BLOCK, at);
        const end = start < 0 ? chunk.length : start;
        if (end > at) {
          const outside = chunk.subarray(at, end);
          if (!isBlank(outside)) {
            this.#unframedSize += outside.length;
            if (this.#unframedSize > this.maxFrameBytes) {
              throw new MllpFrameError(
                'unframed_bytes',
                `more than ${this.maxFrameBytes} bytes arrived outside any MLLP frame`,
              );
            }
            unframed.push(outside.slice());
          }
        }
        if (start < 0) break;
        this.#inFrame = true;
        at = start + 1;
        continue;
      }
      const endBlock = chunk.indexOf(MLLP_END_BLOCK, at);
      const restart = chunk.indexOf(MLLP_START_BLOCK, at);
      if (restart >= 0 && (endBlock < 0 || restart < endBlock)) {
        // A new frame began before this one ended: the unfinished bytes are unframed.
        this.#append(chunk.subarray(at, restart));
        unframed.push(concat(this.#parts, this.#size));
        this.#reset();
        at = restart + 1;
        this.#inFrame = true;
        continue;
      }
      if (endBlock < 0) {
        this.#append(chunk.subarray(at));
        break;
      }
      this.#append(chunk.subarray(at, endBlock));
      frames.push(concat(this.#parts, this.#size));
      this.#reset();
      this.#unframedSize = 0;
      at = endBlock + 1;
      if (at === chunk.length) this.#skipCr = true;
      else if (chunk[at] === MLLP_CARRIAGE_RETURN) at++;
    }
    return { frames, unframed };
  }

  /**
   * At the end of the stream: the bytes of an unfinished frame (to keep as
   * unframed), or undefined when the stream ended between frames.
   */
  end(): Uint8Array | undefined {
    const rest = this.#inFrame && this.#size > 0 ? concat(this.#parts, this.#size) : undefined;
    this.#reset();
    return rest;
  }

  #append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.#size + bytes.length > this.maxFrameBytes) {
      throw new MllpFrameError(
        'frame_too_large',
        `an MLLP frame is over ${this.maxFrameBytes} bytes; the connection is closed`,
      );
    }
    // Keep a copy: the caller may reuse the chunk's memory once push returns.
    this.#parts.push(bytes.slice());
    this.#size += bytes.length;
  }

  #reset(): void {
    this.#inFrame = false;
    this.#parts = [];
    this.#size = 0;
  }
}
