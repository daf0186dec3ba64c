/**
 * The shared strings table of an XLSX, stored compactly: strings are
 * packed into flat text pieces of about 64 K characters with their offsets
 * in typed arrays, instead of one JavaScript string each. A string cut from
 * the XML parser's text can keep the whole decoded chunk it came from
 * alive; packing copies it out, so memory is about the strings' own length
 * plus 8 bytes per string, however the XML was sliced.
 */
import { ApiError } from '../../kernel/problem.ts';

const PIECE = 65_536;

/**
 * A packed, append-only list of strings.
 *
 * @example
 * const table = new SharedStrings(1_000); table.push('Ada'); table.get(0); // 'Ada'
 */
export class SharedStrings {
  private readonly pieces: string[] = [];
  private parts: string[] = [];
  private partsLength = 0;
  private piece = new Uint32Array(1_024);
  private start = new Uint32Array(1_024);
  private end = new Uint32Array(1_024);
  private count = 0;
  private readonly maxStrings: number;

  /** @param maxStrings most strings the table may hold (a sheet cannot use more than it has cells). */
  constructor(maxStrings: number) {
    this.maxStrings = maxStrings;
  }

  /** Appends a string. */
  push(text: string): void {
    if (this.count >= this.maxStrings) {
      throw new ApiError(
        'import_unreadable',
        `The XLSX file is refused: its shared strings table holds more than ${this.maxStrings} strings.`,
      );
    }
    if (this.count === this.piece.length) this.grow();
    this.piece[this.count] = this.pieces.length;
    this.start[this.count] = this.partsLength;
    this.parts.push(text);
    this.partsLength += text.length;
    this.end[this.count] = this.partsLength;
    this.count += 1;
    if (this.partsLength >= PIECE) this.seal();
  }

  /** The string at `index`, or undefined. */
  get(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    const piece = this.piece[index] as number;
    if (piece === this.pieces.length) this.seal();
    return (this.pieces[piece] as string).slice(this.start[index], this.end[index]);
  }

  /** How many strings the table holds. */
  get size(): number {
    return this.count;
  }

  /** Joins the open parts into one flat piece (a copy: the parts' sources can be freed). */
  private seal(): void {
    if (this.parts.length === 0) return;
    this.pieces.push(this.parts.join(''));
    this.parts = [];
    this.partsLength = 0;
  }

  private grow(): void {
    const size = this.piece.length * 2;
    for (const name of ['piece', 'start', 'end'] as const) {
      const next = new Uint32Array(size);
      next.set(this[name]);
      this[name] = next;
    }
  }
}
