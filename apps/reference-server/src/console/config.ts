/**
 * `OPS_*` configuration of the operator pages: the HTTP Basic credentials
 * that guard `/ops` (the password also from `OPS_PASSWORD_FILE`). Without a
 * password the pages answer 503 `ops_not_configured`: they are never open.
 */
import * as z from 'zod';

/**
 * The `OPS_*` variables.
 *
 * @example
 * const config = loadConfig(process.env, [operatorConfig]);
 * config.OPS_USER; // 'ops'
 */
export const operatorConfig = z.object({
  /** User name of the operator pages' HTTP Basic login. */
  OPS_USER: z.string().min(1).max(100).default('ops'),
  /** Password of that login (at least 12 characters); unset keeps the pages closed. */
  OPS_PASSWORD: z.string().min(12).max(1_000).optional(),
});

/**
 * The parsed `OPS_*` configuration.
 *
 * @example
 * const config: OperatorConfig = operatorConfig.parse({ OPS_PASSWORD: 'correct horse battery' });
 */
export type OperatorConfig = z.infer<typeof operatorConfig>;
