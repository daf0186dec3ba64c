/** The union of every operation id of the contract, for typed options. */
import type { Operations } from '../../contract/index.ts';

/**
 * An operation id such as `'appointments.create'`.
 *
 * @example
 * const unsupported: OperationId[] = ['deliveries.retry', 'deadLetters.replay'];
 */
export type OperationId = {
  [G in keyof Operations]: {
    [A in keyof Operations[G]]: Operations[G][A] extends { id: infer I extends string } ? I : never;
  }[keyof Operations[G]];
}[keyof Operations];
