/**
 * Configuration of the provider adapters: one group of variables per
 * provider. A provider whose required variables are unset is absent; the
 * features that need it say so once at start and use their manual fallback.
 * Every credential may come from `<NAME>_FILE` instead (see config/index.ts).
 * `*_API_URL` overrides a provider's base URL (a sandbox, a proxy, or a local
 * fake in tests); template maps are JSON.
 */
import * as z from 'zod';

const optional = z.string().min(1).optional();
const url = z.url().optional();

/** A JSON object in one variable, validated by `schema`. */
const json = <S extends z.ZodType>(schema: S) =>
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

const whatsappTemplates = z.record(
  z.string(),
  z.object({
    name: z.string().min(1),
    body: z.array(z.string()),
    languages: z.record(z.string(), z.string()).optional(),
  }),
);
const textTemplates = z.record(z.string(), z.record(z.string(), z.string()));
const sendgridTemplates = z.record(
  z.string(),
  z.object({ templateIds: z.record(z.string(), z.string()), variables: z.array(z.string()) }),
);

/**
 * The providers' section of the environment.
 *
 * @example
 * providersConfig.parse({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+15005550006' });
 */
export const providersConfig = z.object({
  /** WhatsApp Cloud API: access token and the business phone number id. */
  WHATSAPP_ACCESS_TOKEN: optional,
  WHATSAPP_PHONE_NUMBER_ID: optional,
  WHATSAPP_API_URL: url,
  /** ClinicBridge template → approved WhatsApp template (`{ name, body: [variables] }`). */
  WHATSAPP_TEMPLATES: json(whatsappTemplates),
  /** Twilio SMS: account SID, auth token, and a Messaging Service SID or a From number. */
  TWILIO_ACCOUNT_SID: optional,
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_MESSAGING_SERVICE_SID: optional,
  TWILIO_FROM: optional,
  TWILIO_API_URL: url,
  /** Template → locale → SMS text with `{{variable}}` placeholders. */
  SMS_TEMPLATES: json(textTemplates),
  /** SendGrid email: API key, sender address and dynamic templates. */
  SENDGRID_API_KEY: optional,
  SENDGRID_FROM: z.email().optional(),
  SENDGRID_API_URL: url,
  SENDGRID_TEMPLATES: json(sendgridTemplates),
  /** Stripe: secret key (card payments and Connect escrow). */
  STRIPE_SECRET_KEY: optional,
  STRIPE_API_URL: url,
  /** Razorpay: key id and secret (UPI and cards). */
  RAZORPAY_KEY_ID: optional,
  RAZORPAY_KEY_SECRET: optional,
  RAZORPAY_API_URL: url,
  /** Amadeus Self-Service: client credentials (flights and hotels). */
  AMADEUS_CLIENT_ID: optional,
  AMADEUS_CLIENT_SECRET: optional,
  AMADEUS_ENVIRONMENT: z.enum(['test', 'production']).default('test'),
  AMADEUS_API_URL: url,
});

/**
 * The parsed providers section.
 *
 * @example
 * const config: ProvidersConfig = providersConfig.parse(process.env);
 */
export type ProvidersConfig = z.infer<typeof providersConfig>;
