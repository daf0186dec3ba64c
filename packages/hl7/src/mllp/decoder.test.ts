/**
 * MLLP framing: a frame split anywhere (down to one byte per read) and many
 * frames in one read come out whole and in order; the frame-size cap is
 * enforced as bytes arrive; bytes outside frames are handed back (blank
 * lines between frames are not); a start block inside a frame abandons it.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isMllpFrameError } from '../errors.ts';
import { MllpDecoder } from './decoder.ts';
import { encodeFrame } from './frame.ts';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('MllpDecoder', () => {
  test('encodeFrame wraps text as VT … FS CR, in UTF-8', () => {
    expect([...encodeFrame('MSH|é')]).toEqual([0x0b, ...Buffer.from('MSH|é'), 0x1c, 0x0d]);
  });

  test('a frame split byte by byte comes out once, whole', () => {
    const decoder = new MllpDecoder();
    const frame = encodeFrame('MSH|^~\\&|A|B\rPID|1');
    const out: string[] = [];
    for (const byte of frame) out.push(...decoder.push(Uint8Array.of(byte)).frames.map(text));
    expect(out).toEqual(['MSH|^~\\&|A|B\rPID|1']);
    expect(decoder.inFrame).toBe(false);
  });

  test('coalesced frames in one read come out in order', () => {
    const decoder = new MllpDecoder();
    const { frames, unframed } = decoder.push(
      concat(encodeFrame('one'), encodeFrame('two'), Buffer.from('\r\n'), encodeFrame('three')),
    );
    expect(frames.map(text)).toEqual(['one', 'two', 'three']);
    expect(unframed).toEqual([]);
  });

  test('the CR after FS may arrive in the next read; a missing CR is tolerated', () => {
    const decoder = new MllpDecoder();
    const frame = encodeFrame('a');
    expect(decoder.push(frame.subarray(0, frame.length - 1)).frames.map(text)).toEqual(['a']);
    expect(decoder.push(concat(Uint8Array.of(0x0d), encodeFrame('b'))).frames.map(text)).toEqual([
      'b',
    ]);
    expect(decoder.push(Buffer.from('\x0bc\x1c\x0bd\x1c\r')).frames.map(text)).toEqual(['c', 'd']);
  });

  test('a frame over the cap is refused while it arrives, even split', () => {
    const decoder = new MllpDecoder({ maxFrameBytes: 100 });
    decoder.push(Uint8Array.of(0x0b, ...new Uint8Array(60).fill(65)));
    let caught: unknown;
    try {
      decoder.push(new Uint8Array(60).fill(65));
    } catch (error) {
      caught = error;
    }
    expect(isMllpFrameError(caught) && caught.code).toBe('frame_too_large');
    // Exactly at the cap is fine.
    expect(new MllpDecoder({ maxFrameBytes: 3 }).push(encodeFrame('abc')).frames).toHaveLength(1);
  });

  test('bytes outside frames are handed back; too many of them is an error', () => {
    const decoder = new MllpDecoder({ maxFrameBytes: 10 });
    const { frames, unframed } = decoder.push(concat(Buffer.from('junk'), encodeFrame('ok')));
    expect(frames.map(text)).toEqual(['ok']);
    expect(unframed.map(text)).toEqual(['junk']);
    expect(() => decoder.push(Buffer.from('x'.repeat(11)))).toThrow(/outside any MLLP frame/);
  });

  test('a start block inside a frame abandons the unfinished one as unframed', () => {
    const decoder = new MllpDecoder();
    const { frames, unframed } = decoder.push(Buffer.from('\x0bhalf\x0bwhole\x1c\r'));
    expect(frames.map(text)).toEqual(['whole']);
    expect(unframed.map(text)).toEqual(['half']);
  });

  test('end() returns an unfinished frame', () => {
    const decoder = new MllpDecoder();
    decoder.push(Buffer.from('\x0bpartial'));
    expect(text(decoder.end()!)).toBe('partial');
    expect(decoder.end()).toBeUndefined();
  });

  test('any payloads, cut into any reads, come out as sent (property)', () => {
    const payload = fc
      .uint8Array({ maxLength: 200 })
      .map((bytes) => bytes.map((b) => (b === 0x0b || b === 0x1c ? 0x41 : b)));
    fc.assert(
      fc.property(
        fc.array(payload, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (payloads, cuts) => {
          const stream = concat(...payloads.map((p) => encodeFrame(p)));
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const decoder = new MllpDecoder({ maxFrameBytes: 200 });
          const out: Uint8Array[] = [];
          let from = 0;
          for (const to of [...points, stream.length]) {
            out.push(...decoder.push(stream.subarray(from, to)).frames);
            from = to;
          }
          expect(out.map((f) => [...f])).toEqual(payloads.map((p) => [...p]));
        },
      ),
      { numRuns: 500 },
    );
  });
});
