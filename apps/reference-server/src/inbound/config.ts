/**
 * `INBOUND_*` configuration: the signing secret of each provider (also from
 * `INBOUND_<PROVIDER>_SECRET_FILE`; several, comma-separated, during a
 * rotation) or, for the ABDM gateway, where its token keys are published,
 * a timestamp tolerance, and a body limit. A provider without them is not
 * accepted at all.
 */
import * as z from 'zod';

const secret = z.string().min(1).optional();

/**
 * The `INBOUND_*` variables.
 *
 * @example
 * const config = loadConfig(process.env, [inboundConfig]);
 */
export const inboundConfig = z.object({
  /** Stripe endpoint secret (`whsec_…`, used as-is) for `/webhooks/payments`. */
  INBOUND_PAYMENTS_SECRET: secret,
  /** Meta app secret for `/webhooks/whatsapp` (`X-Hub-Signature-256`). */
  INBOUND_WHATSAPP_SECRET: secret,
  /** Standard Webhooks secrets (`whsec_…`) of the other providers. */
  INBOUND_VISA_SECRET: secret,
  INBOUND_TRAVEL_SECRET: secret,
  INBOUND_HOTELS_SECRET: secret,
  INBOUND_COMMS_SECRET: secret,
  INBOUND_EFATURA_SECRET: secret,
  INBOUND_INSURANCE_SECRET: secret,
  /**
   * The ABDM gateway's published keys (`<gateway>/api/hiecm/gateway/v3/certs`): turns on
   * `/webhooks/abdm`, whose callbacks carry the gateway's RS256 bearer token.
   */
  INBOUND_ABDM_JWKS_URL: z.url().optional(),
  /** The `iss` of the gateway's callback tokens (default: the sandbox's realm). */
  INBOUND_ABDM_ISSUER: z
    .string()
    .min(1)
    .default('https://dev.ndhm.gov.in/auth/realms/central-registry'),
  /** The `aud` the callback tokens must carry; unset: not checked. */
  INBOUND_ABDM_AUDIENCE: z.string().min(1).optional(),
  /** Razorpay webhook secret for `/webhooks/razorpay` (`X-Razorpay-Signature`). */
  INBOUND_RAZORPAY_SECRET: secret,
  /** iyzico secret key for `/webhooks/iyzico` (`X-IYZ-Signature-V3`). */
  INBOUND_IYZICO_SECRET: secret,
  /** HubSpot app client secret for `/webhooks/hubspot` (`X-HubSpot-Signature-v3`). */
  INBOUND_HUBSPOT_SECRET: secret,
  /** The URL HubSpot calls, when a proxy in front of the server changes it (it is signed). */
  INBOUND_HUBSPOT_URL: z.url().optional(),
  /** Accepted clock difference for timestamped schemes, in seconds. */
  INBOUND_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  /** Largest inbound webhook body, in bytes. */
  INBOUND_BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10_485_760).default(1_048_576),
});

/**
 * The parsed `INBOUND_*` configuration.
 *
 * @example
 * const config: InboundConfig = inboundConfig.parse(process.env);
 */
export type InboundConfig = z.infer<typeof inboundConfig>;
