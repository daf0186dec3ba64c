/**
 * FHIR failures to internal codes. A FHIR server answers errors with an
 * `OperationOutcome`; its first error issue's `code` becomes the
 * `providerCode` and its expressions the error's `fields` (paths, never
 * values). The status decides the internal code, with FHIR's meanings:
 * 412 is a failed precondition (a stale `If-Match`, or conditional-create
 * criteria matching several resources) — a conflict, not a bad request —
 * and 422 is a business rule the server refused.
 */
import type { ProviderFailure, ProviderReply } from '../core/client.ts';
import type { ProviderErrorCode } from '../core/errors.ts';

interface Issue {
  severity?: unknown;
  code?: unknown;
  expression?: unknown;
}

/**
 * The first error (or fatal) issue of an OperationOutcome body, if the body is one.
 *
 * @example
 * outcomeIssue({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] }); // { code: 'not-found', … }
 */
export function outcomeIssue(
  body: unknown,
): { code: string | undefined; expression: string[] } | undefined {
  const outcome = body as { resourceType?: unknown; issue?: unknown } | undefined;
  if (outcome?.resourceType !== 'OperationOutcome' || !Array.isArray(outcome.issue)) {
    return undefined;
  }
  const issues = outcome.issue as Issue[];
  const issue = issues.find((i) => i?.severity === 'error' || i?.severity === 'fatal') ?? issues[0];
  if (!issue) return { code: undefined, expression: [] };
  const expression = Array.isArray(issue.expression)
    ? issue.expression.filter((e): e is string => typeof e === 'string').slice(0, 20)
    : [];
  return {
    code: typeof issue.code === 'string' ? issue.code.slice(0, 64) : undefined,
    expression: expression.map((e) => e.slice(0, 200)),
  };
}

const byStatus = (status: number): ProviderErrorCode | undefined => {
  if (status === 412) return 'conflict';
  if (status === 422) return 'rejected';
  return undefined;
};

/**
 * Maps a FHIR reply to a failure, or `undefined` for success.
 *
 * @example
 * mapFhirError({ status: 412, body: outcome, headers: new Headers() }); // { code: 'conflict', providerCode: 'multiple-matches' }
 */
export function mapFhirError(reply: ProviderReply): ProviderFailure | undefined {
  if (reply.status < 400) return undefined;
  const issue = outcomeIssue(reply.body);
  const code = byStatus(reply.status);
  return {
    ...(code ? { code } : {}),
    providerCode: issue?.code ?? `http_${reply.status}`,
    ...(issue && issue.expression.length > 0 ? { fields: issue.expression } : {}),
  };
}
