/**
 * The relay refuses analytics settings that cannot work: Avro without the
 * registry's schema id, or analytics subjects / exchange equal to the
 * events' own (consumers of one would read the other).
 */
import { describe, expect, test } from 'vitest';
import { ConfigError } from '../config/index.ts';
import { relayConfig } from './config.ts';
import { checkAnalyticsConfig } from './feature.ts';

const parse = (env: Record<string, string>) =>
  relayConfig.parse({ RELAY_NATS_URL: 'nats://127.0.0.1:4222', ...env });

describe('analytics settings of the relay', () => {
  test('Avro needs a schema id; JSON and a configured id pass', () => {
    expect(() =>
      checkAnalyticsConfig(parse({ RELAY_ANALYTICS: 'true', RELAY_ANALYTICS_FORMAT: 'avro' })),
    ).toThrow(ConfigError);
    const withId = parse({
      RELAY_ANALYTICS: 'true',
      RELAY_ANALYTICS_FORMAT: 'avro',
      RELAY_ANALYTICS_AVRO_SCHEMA_ID: '12',
    });
    expect(withId.RELAY_ANALYTICS_AVRO_SCHEMA_ID).toBe(12);
    expect(() => checkAnalyticsConfig(withId)).not.toThrow();
    expect(() => checkAnalyticsConfig(parse({ RELAY_ANALYTICS: 'true' }))).not.toThrow();
    // Off: nothing is checked.
    expect(() => checkAnalyticsConfig(parse({ RELAY_ANALYTICS_FORMAT: 'avro' }))).not.toThrow();
  });

  test('analytics subjects and exchange must differ from the events’ own', () => {
    expect(() =>
      checkAnalyticsConfig(
        parse({ RELAY_ANALYTICS: 'true', RELAY_ANALYTICS_SUBJECT_PREFIX: 'clinicbridge' }),
      ),
    ).toThrow(/RELAY_ANALYTICS_SUBJECT_PREFIX/);
    expect(() =>
      checkAnalyticsConfig(
        parse({
          RELAY_ANALYTICS: 'true',
          RELAY_RABBITMQ_ANALYTICS_EXCHANGE: 'clinicbridge.events',
        }),
      ),
    ).toThrow(/RELAY_RABBITMQ_ANALYTICS_EXCHANGE/);
    expect(() => relayConfig.parse({ RELAY_ANALYTICS_AVRO_SCHEMA_ID: '-1' })).toThrow();
  });
});
