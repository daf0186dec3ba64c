/**
 * How a queued file's content is cut for storage (contentPieces): pieces of
 * at most CONTENT_PIECE_CHARS that join back to the content, never splitting
 * a surrogate pair (a lone half would be stored as U+FFFD).
 */
import { describe, expect, test } from 'vitest';
import { CONTENT_PIECE_CHARS, contentPieces } from './service.ts';

describe('contentPieces', () => {
  test('small content is one piece; empty content none', () => {
    expect([...contentPieces('a,b\n1,2\n')]).toEqual(['a,b\n1,2\n']);
    expect([...contentPieces('')]).toEqual([]);
  });

  test('large content is cut at the piece size and joins back', () => {
    const content = 'x'.repeat(CONTENT_PIECE_CHARS * 2 + 5);
    const pieces = [...contentPieces(content)];
    expect(pieces.map((p) => p.length)).toEqual([CONTENT_PIECE_CHARS, CONTENT_PIECE_CHARS, 5]);
    expect(pieces.join('')).toBe(content);
  });

  test('a surrogate pair on a boundary stays in one piece, and every piece is valid UTF-16', () => {
    // '😀' is two UTF-16 units; its high half would fall last in the first piece.
    const content = `${'a'.repeat(CONTENT_PIECE_CHARS - 1)}😀Ş₹`;
    const pieces = [...contentPieces(content)];
    expect(pieces.join('')).toBe(content);
    expect(pieces[0]).toHaveLength(CONTENT_PIECE_CHARS - 1);
    expect(pieces[1]).toBe('😀Ş₹');
    for (const piece of pieces) expect(Buffer.from(piece, 'utf8').toString('utf8')).toBe(piece);
  });
});
