/**
 * `ClinicBridge`: the full client, one namespace per resource of the
 * contract (`client.appointments.create(...)`), generated from `operations`
 * so it covers every operation and stays in step with the contract.
 */
import { type Operations, operations } from '../contract/operations.ts';
import { ClinicBridgeClient } from './client-core.ts';
import type { ClinicBridgeOptions } from './core/options.ts';
import { buildNamespaces } from './namespaces/build.ts';
import type { Namespaces } from './namespaces/types.ts';
import { type WebhooksNamespace, webhooksNamespace } from './webhooks/verify.ts';

class ClinicBridgeImpl extends ClinicBridgeClient {
  /** Verify webhook deliveries and get typed events: `client.webhooks.verify(rawBody, headers, secret)`. */
  readonly webhooks: WebhooksNamespace;

  constructor(options: ClinicBridgeOptions) {
    super(options);
    Object.assign(this, buildNamespaces(this.config, operations));
    this.webhooks = webhooksNamespace(
      this.config.validation,
      this.config.hooks.onValidationWarning,
    );
  }
}

/** A ClinicBridge client instance. */
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
