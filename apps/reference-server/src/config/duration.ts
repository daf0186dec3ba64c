/**
 * Durations in configuration: one number with an optional unit (`250ms`,
 * `30s`, `15m`, `12h`, `5d`; seconds when bare), parsed to milliseconds.
 */
import * as z from 'zod';

const DURATION = /^(\d{1,9})(ms|s|m|h|d)?$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A zod field for a duration with a default, parsed to milliseconds.
 *
 * @example
 * z.object({ WEBHOOK_LEASE: durationMs('60s') }).parse({}).WEBHOOK_LEASE; // 60000
 */
export const durationMs = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const match = DURATION.exec(text.trim());
      if (!match) {
        ctx.addIssue({ code: 'custom', message: 'must be one duration such as 30s, 15m, 5d' });
        return z.NEVER;
      }
      return Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS];
    });
