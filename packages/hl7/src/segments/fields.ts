/**
 * Field readers the typed segments share: one trimmed value, every
 * repetition of a composite, the first repetition of a composite.
 */
import { getField, getRepetitions } from '../message/access.ts';
import type { Repetition, Segment } from '../message/types.ts';

/**
 * Component 1, subcomponent 1 of the first repetition of field `n`, trimmed.
 *
 * @example
 * text(msh, 10); // MSH-10, the message control id
 */
export function text(segment: Segment, n: number, component = 1): string {
  return (getField(segment, n)?.[0]?.[component - 1]?.[0] ?? '').trim();
}

/**
 * Every non-empty repetition of field `n`, each read by `read`.
 *
 * @example
 * list(pid, 3, readCx); // every patient identifier
 */
export function list<T>(segment: Segment, n: number, read: (r: Repetition) => T): T[] {
  return getRepetitions(segment, n).map(read);
}

/**
 * The first repetition of field `n`, read by `read` (empty positions read as `''`).
 *
 * @example
 * one(pv1, 3, readPl).bed;
 */
export function one<T>(segment: Segment, n: number, read: (r: Repetition | undefined) => T): T {
  return read(getField(segment, n)?.[0]);
}
