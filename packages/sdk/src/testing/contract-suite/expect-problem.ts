/** Assertion for failures seen through the client: the status and stable code of the problem. */
import { expect } from 'vitest';
import { type ClinicBridgeError, isClinicBridgeError } from '../../index.ts';

/**
 * Awaits `call`, expects it to fail with a client error of `status` (and
 * `code`, when given), and returns the error for further checks.
 *
 * @example
 * const error = await expectProblem(client.patients.get({ patientId }), 404, 'not_found');
 */
export async function expectProblem(
  call: Promise<unknown>,
  status: number,
  code?: string,
): Promise<ClinicBridgeError> {
  let caught: unknown;
  try {
    await call;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a ${status} ${code ?? ''} failure, the call succeeded`).toBeDefined();
  if (!isClinicBridgeError(caught)) throw caught;
  expect({ status: caught.status, code: caught.code }).toEqual({
    status,
    code: code ?? caught.code,
  });
  expect(caught.requestId, 'every problem carries the request id').toBeTruthy();
  return caught;
}

/**
 * Every item of a paginated list, following `nextCursor` to the end.
 *
 * @example
 * const all = await collect(client.appointments.list({ patientId, limit: 2 }));
 */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
