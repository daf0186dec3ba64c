/**
 * `HL7_*` configuration: the MLLP listener (off unless `HL7_MLLP_PORT` is
 * set; TLS when a certificate and key are given, client certificates when
 * a CA is), its limits, and the inbox's batching. PEM values may come from
 * files (`HL7_MLLP_TLS_CERT_FILE=/run/secrets/mllp.crt`).
 */
import * as z from 'zod';
import { durationMs } from '../config/duration.ts';

const pem = z
  .string()
  .regex(/-----BEGIN [A-Z ]+-----/, 'must be PEM text (or name a PEM file with the _FILE variant)')
  .optional();

/**
 * The `HL7_*` variables.
 *
 * @example
 * const config = loadConfig(process.env, [hl7Config]);
 * config.HL7_MLLP_PORT; // undefined: the listener is off
 */
export const hl7Config = z.object({
  /** Port of the MLLP listener (2575 is HL7's registered port); unset keeps it off, 0 picks a free one. */
  HL7_MLLP_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /** Interface the listener binds. */
  HL7_MLLP_HOST: z.string().min(1).default('0.0.0.0'),
  /** Server certificate (PEM) for MLLP over TLS; with HL7_MLLP_TLS_KEY. */
  HL7_MLLP_TLS_CERT: pem,
  /** Private key (PEM) of the certificate. */
  HL7_MLLP_TLS_KEY: pem,
  /** CA (PEM) that signs senders' client certificates; set it to require them. */
  HL7_MLLP_TLS_CA: pem,
  /** Largest message frame in bytes; a larger one closes the connection and is not stored. */
  HL7_MLLP_MAX_FRAME_BYTES: z.coerce.number().int().min(1_024).max(67_108_864).default(1_048_576),
  /** Close a connection after this long without traffic. */
  HL7_MLLP_IDLE_TIMEOUT: durationMs('5m'),
  /** Most open MLLP connections. */
  HL7_MLLP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Most messages written to the inbox in one transaction (group commit). */
  HL7_INBOX_BATCH_MAX: z.coerce.number().int().min(1).max(1_000).default(200),
  /** Inbox commits running at once (each holds a database connection while it waits). */
  HL7_INBOX_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
});

/**
 * The parsed `HL7_*` configuration.
 *
 * @example
 * const config: Hl7Config = hl7Config.parse({ HL7_MLLP_PORT: '2575' });
 */
export type Hl7Config = z.infer<typeof hl7Config>;
