/**
 * `ClinicBridge`: the full client, one namespace per resource of the
 * contract (`client.appointments.create(...)`), generated from `operations`
 * so it covers every operation and stays in step with the contract.
 */
import { type Operations, operations } from '../contract/operations.ts';
import { oauthClientCredentials } from './auth/oauth.ts';
import { ClinicBridgeClient } from './client-core.ts';
import { systemClock } from './core/clock.ts';
import type { ClientCoreOptions, ClinicBridgeOptions } from './core/options.ts';
import { buildNamespaces } from './namespaces/build.ts';
import type { Namespaces } from './namespaces/types.ts';
import { type WebhooksNamespace, webhooksNamespace } from './webhooks/verify.ts';

/** Turns `clientId`/`clientSecret` options into an OAuth `auth` strategy. */
function withAuth(options: ClinicBridgeOptions): ClientCoreOptions {
  if (options.clientId === undefined && options.clientSecret === undefined) {
    return options as ClientCoreOptions;
  }
  const { clientId, clientSecret, scopes, tokenCache, refreshSkew, ...common } = options;
  if (!clientId || !clientSecret) {
    throw new TypeError('pass either apiKey, or clientId and clientSecret');
  }
  const clock = common.clock ?? systemClock;
  return {
    ...common,
    auth: oauthClientCredentials({
      baseUrl: common.baseUrl.replace(/\/+$/, ''),
      clientId,
      clientSecret,
      scopes,
      tokenCache,
      refreshSkew,
      fetch: common.fetch,
      now: () => clock.now(),
      timeout: common.timeout,
    }),
  };
}

class ClinicBridgeImpl extends ClinicBridgeClient {
  /** Verify webhook deliveries and get typed events: `client.webhooks.verify(rawBody, headers, secret)`. */
  readonly webhooks: WebhooksNamespace;

  constructor(options: ClinicBridgeOptions) {
    super(withAuth(options));
    Object.assign(this, buildNamespaces(this.config, operations));
    this.webhooks = webhooksNamespace(
      this.config.validation,
      this.config.hooks.onValidationWarning,
    );
  }
}

/**
 * A ClinicBridge client instance.
 *
 * @example
 * function book(client: ClinicBridge) { return client.appointments.create(body); }
 */
export type ClinicBridge = ClinicBridgeImpl & Namespaces<Operations>;

/**
 * The ClinicBridge API v1 client.
 *
 * @example
 * import { ClinicBridge } from '@clinicbridge/sdk';
 *
 * const client = new ClinicBridge({ baseUrl: 'https://api.clinicbridge.example', apiKey: process.env.CLINICBRIDGE_API_KEY! });
 * const appointment = await client.appointments.create({ patientId, service: 'Consultation', startsAt, endsAt });
 * for await (const a of client.appointments.list({ status: 'scheduled' })) console.log(a.id);
 */
export const ClinicBridge = ClinicBridgeImpl as new (options: ClinicBridgeOptions) => ClinicBridge;
