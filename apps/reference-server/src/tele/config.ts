/**
 * Configuration of the tele-rooms feature: how long a join link lets its
 * holder in, and how many days after a completed session its follow-up is
 * due when the caller does not say.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The tele-rooms section of the environment.
 *
 * @example
 * teleRoomsConfig.parse({ TELE_JOIN_LINK_TTL: '30m' }).TELE_JOIN_LINK_TTL; // 1800000
 */
export const teleRoomsConfig = z.object({
  /** Lifetime of a join link's token (1 minute to 24 hours). */
  TELE_JOIN_LINK_TTL: durationMs('2h').pipe(
    z.number().min(60_000, 'at least 1m').max(86_400_000, 'at most 24h'),
  ),
  /** Days from a completed session to its follow-up, unless the request says. */
  TELE_FOLLOW_UP_DAYS: z.coerce.number().int().min(1).max(365).default(7),
});

/**
 * The parsed tele-rooms section.
 *
 * @example
 * const config: TeleRoomsConfig = teleRoomsConfig.parse(process.env);
 */
export type TeleRoomsConfig = z.infer<typeof teleRoomsConfig>;
