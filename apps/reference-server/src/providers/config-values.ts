/**
 * Building blocks of the provider configuration groups: an optional
 * credential, an optional base URL, and a JSON object held in one variable.
 * Every credential may come from `<NAME>_FILE` instead (see config/index.ts).
 */
import * as z from 'zod';

/**
 * An optional non-empty string (a credential or an id).
 *
 * @example
 * const section = z.object({ ACME_API_KEY: optionalValue });
 */
export const optionalValue = z.string().min(1).optional();

/**
 * An optional URL: `*_API_URL` points a provider at a sandbox, a proxy or a local fake.
 *
 * @example
 * const section = z.object({ ACME_API_URL: optionalUrl });
 */
export const optionalUrl = z.url().optional();

/**
 * An optional JSON value in one variable, validated by `schema`.
 *
 * @example
 * const section = z.object({ ACME_TEMPLATES: jsonValue(z.record(z.string(), z.string())) });
 */
export const jsonValue = <S extends z.ZodType>(schema: S) =>
  z
    .string()
    .optional()
    .transform((text, ctx): z.infer<S> | undefined => {
      if (text === undefined || text.trim() === '') return undefined;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'invalid' });
        return z.NEVER;
      }
      return parsed.data;
    });
