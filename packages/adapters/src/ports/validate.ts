/**
 * Input validation at the port boundary: a zod failure becomes a
 * `ProviderError` with `invalid_request` and the failing field paths (never
 * the values, which may be personal data).
 */
import type { z } from 'zod';
import { ProviderError } from '../core/errors.ts';

/**
 * Parses port input or throws `invalid_request` before any provider is called.
 *
 * @example
 * const input = parseInput(CreatePaymentInputSchema, raw, 'stripe', 'payments.createIntent');
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  provider: string,
  operation: string,
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ProviderError({
    code: 'invalid_request',
    provider,
    operation,
    fields: result.error.issues.map((issue) => issue.path.join('.') || '(root)'),
    message: 'The input is invalid; see `fields` for what to fix.',
  });
}
