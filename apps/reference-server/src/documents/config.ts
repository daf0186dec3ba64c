/**
 * Configuration of the documents feature: how long a document is kept
 * before it is deleted, how long a staff download link lives, and how often
 * the expiry job looks for documents past their time.
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

/**
 * The documents section of the environment.
 *
 * @example
 * documentsConfig.parse({}).DOCUMENTS_RETENTION; // 15552000000 (180 days)
 */
export const documentsConfig = z.object({
  /** How long after its creation a document (and its file) is deleted. */
  DOCUMENTS_RETENTION: durationMs('180d'),
  /** Lifetime of a staff download link (at most 1 h). */
  DOCUMENTS_LINK_TTL: durationMs('5m').refine(
    (ms) => ms >= 1_000 && ms <= 3_600_000,
    'must be from 1s to 1h',
  ),
});

/**
 * The parsed documents section.
 *
 * @example
 * const config: DocumentsConfig = documentsConfig.parse(process.env);
 */
export type DocumentsConfig = z.infer<typeof documentsConfig>;
