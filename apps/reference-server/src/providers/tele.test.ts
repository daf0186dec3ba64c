/**
 * The telemedicine provider chosen from configuration: `TELE_PROVIDER`
 * picks Jitsi or LiveKit; unset, the one whose settings are complete
 * (Jitsi when both are); a chosen provider without its settings is absent,
 * never the other one.
 */
import { InMemoryManualTaskSink, noopMetrics } from '@clinicbridge/adapters';
import { expect, test } from 'vitest';
import type { ProviderShared } from './group.ts';
import { teleConfig, teleProviders } from './tele.ts';

const shared = {
  metrics: noopMetrics,
  audit: () => undefined,
  manualTasks: new InMemoryManualTaskSink(),
  db: undefined,
} as unknown as ProviderShared;

const jitsi = {
  TELE_JITSI_DOMAIN: 'meet.clinic.test',
  TELE_JITSI_APP_ID: 'clinicbridge',
  TELE_JITSI_SECRET: 'jitsi-secret-0123456789abcdefghijkl',
};
const livekit = {
  TELE_LIVEKIT_URL: 'https://video.clinic.test',
  TELE_LIVEKIT_API_KEY: 'APIclinic',
  TELE_LIVEKIT_API_SECRET: 'livekit-secret-0123456789abcdefghij',
  TELE_LIVEKIT_MEET_URL: 'https://meet.clinic.test/rooms',
};

const chosen = (env: Record<string, string>) => {
  const { built, absent } = teleProviders.build(teleConfig.parse(env), shared);
  return { provider: built.teleRooms?.provider, absent };
};

test('TELE_PROVIDER picks the provider; unset, the configured one, Jitsi first', () => {
  expect(chosen({})).toEqual({ provider: undefined, absent: ['tele'] });
  expect(chosen(livekit)).toEqual({ provider: 'livekit', absent: [] });
  expect(chosen({ ...jitsi, ...livekit })).toEqual({ provider: 'jitsi', absent: [] });
  expect(chosen({ ...jitsi, ...livekit, TELE_PROVIDER: 'livekit' })).toEqual({
    provider: 'livekit',
    absent: [],
  });
  expect(chosen({ ...jitsi, TELE_PROVIDER: 'livekit' })).toEqual({
    provider: undefined,
    absent: ['livekit'],
  });
});

test('a short LiveKit secret or an unknown provider is a configuration error', () => {
  expect(teleConfig.safeParse({ ...livekit, TELE_LIVEKIT_API_SECRET: 'short' }).success).toBe(
    false,
  );
  expect(teleConfig.safeParse({ TELE_PROVIDER: 'zoom' }).success).toBe(false);
});
