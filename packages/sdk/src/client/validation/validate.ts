/**
 * Checks a response body against the operation's contract schema, through
 * the Standard Schema interface every zod schema implements (so this module
 * adds no zod code of its own to a bundle).
 */
import type { Schema } from '../../contract/operation.ts';
import type { ValidationMode } from '../core/types.ts';
import type { FieldIssue } from '../errors/errors.ts';
import { ResponseValidationError } from '../errors/errors.ts';

interface StandardIssue {
  message: string;
  code?: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>;
}
type StandardResult = { value: unknown; issues?: undefined } | { issues: StandardIssue[] };
interface StandardSchema {
  '~standard': { validate(value: unknown): StandardResult | Promise<StandardResult> };
}

function toFieldIssue(issue: StandardIssue): FieldIssue {
  const path = (issue.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.');
  return { path, message: issue.message, code: issue.code ?? 'invalid' };
}

/**
 * What the validator needs to know to report a failure.
 *
 * @example
 * const ctx: ValidationContext = { operationId: 'appointments.get', status: 200, requestId, onWarning: undefined };
 */
export interface ValidationContext {
  operationId: string;
  status: number;
  requestId: string | undefined;
  onWarning: ((error: Error) => void) | undefined;
}

/**
 * Validates `body` in the given mode and returns the data to hand the caller.
 *
 * @example
 * const appointment = await validateResponse(operations.appointments.get.response, body, 'strict', ctx);
 */
export async function validateResponse(
  schema: Schema | undefined,
  body: unknown,
  mode: ValidationMode,
  ctx: ValidationContext,
): Promise<unknown> {
  if (!schema || mode === 'off') return body;
  const result = await (schema as unknown as StandardSchema)['~standard'].validate(body);
  if (!result.issues) return result.value;
  const issues = result.issues.map(toFieldIssue);
  const first = issues[0];
  const error = new ResponseValidationError(
    `${ctx.operationId}: the response does not match the contract (${issues.length} issue(s), first at "${first?.path}": ${first?.message})`,
    {
      status: ctx.status,
      code: 'response_validation_failed',
      requestId: ctx.requestId,
      operationId: ctx.operationId,
      body,
      issues,
    },
  );
  if (mode === 'strict') throw error;
  if (ctx.onWarning) ctx.onWarning(error);
  else console.warn(error.message);
  return body;
}
