/**
 * The HL7 v2 feature: the MLLP listener (when `HL7_MLLP_PORT` is set), the
 * durable inbox it writes before acknowledging, and the processor that
 * applies stored ADT messages — patient identity and merges, encounters,
 * the invoice at discharge — from the dispatcher. Facilities and mappings
 * are registered with `clinicbridge-server hl7-facility` and `hl7-map`.
 */
import type { AddressInfo } from 'node:net';
import { type Feature, readSection } from '../feature.ts';
import { type Hl7Config, hl7Config } from './config.ts';
import { type Hl7Listener, startHl7Listener } from './listener.ts';
import { hl7Migrations } from './migrations.ts';
import { processHl7Messages } from './processor.ts';
import type { ReceiveHooks } from './receive.ts';

/**
 * Options of {@link hl7Feature}: a configuration instead of the server's
 * `HL7_*` section, and test seams of the receive path.
 *
 * @example
 * const options: Hl7FeatureOptions = { config: hl7Config.parse({ HL7_MLLP_PORT: '0', HL7_MLLP_HOST: '127.0.0.1' }) };
 */
export interface Hl7FeatureOptions {
  readonly config?: Hl7Config;
  readonly hooks?: ReceiveHooks;
}

/**
 * The HL7 feature, with the address its listener bound (for tests and the start banner).
 *
 * @example
 * const hl7 = hl7Feature();
 * await startServer({ config, features: [...serverFeatures(), hl7] });
 * hl7.mllpAddress()?.port;
 */
export interface Hl7Feature extends Feature {
  /** The listener's address once started; undefined when it is off. */
  mllpAddress(): AddressInfo | undefined;
}

/**
 * The HL7 v2 feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, hl7Feature()];
 */
export function hl7Feature(options: Hl7FeatureOptions = {}): Hl7Feature {
  let listener: Hl7Listener | undefined;
  return {
    name: 'hl7',
    tables: [
      'hl7_facilities',
      'hl7_messages',
      'hl7_rejects',
      'hl7_patient_identifiers',
      'hl7_patient_merges',
      'hl7_provider_mappings',
      'hl7_department_mappings',
      'hl7_service_mappings',
      'hl7_encounter_charges',
    ],
    migrations: hl7Migrations,
    config: hl7Config,
    jobs: (context) => [(now) => processHl7Messages(context.db, now)],
    async start(context) {
      const config = options.config ?? readSection(context.config, hl7Config);
      if (config.HL7_MLLP_PORT === undefined) return;
      listener = await startHl7Listener(context, config, options.hooks);
    },
    async stop() {
      await listener?.close();
      listener = undefined;
    },
    mllpAddress: () => listener?.address,
  };
}
