/** Limits of exports. */
import * as z from 'zod';

/**
 * The exports section of the environment.
 *
 * @example
 * const { EXPORT_MAX_ROWS } = exportsConfig.parse({});
 */
export const exportsConfig = z.object({
  /** Most rows in one snapshot; a longer period is refused (export shorter periods). */
  EXPORT_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
});
