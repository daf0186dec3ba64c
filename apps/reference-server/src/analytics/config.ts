/** Configuration of the analytics export. */
import * as z from 'zod';

/**
 * The analytics section of the environment.
 *
 * @example
 * analyticsConfig.parse({ ANALYTICS_PSEUDONYM_KEY: 'a-key-of-16-chars-or-more' });
 */
export const analyticsConfig = z.object({
  /** Server secret of the per-tenant analytics pseudonym keys; without it they derive from the field-encryption ring. */
  ANALYTICS_PSEUDONYM_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
});
