/**
 * @clinicbridge/adapters/testing — fake providers as MSW handlers that follow
 * each provider's documented request and response shapes (URLs, headers,
 * auth, error bodies), plus failure injection (timeouts, 429 with
 * Retry-After, 5xx bursts, auth expiry, connection errors).
 *
 * Needs `msw` (an optional peer dependency) in your test setup.
 */

export { ABDM_API, ABDM_CALLBACK_ISSUER, FakeAbdm, type FakeAbdmCallbackToken } from './abdm.ts';
export { AMADEUS_API, FakeAmadeus } from './amadeus.ts';
export { DEEPL_API, FakeDeepL } from './deepl.ts';
export { DOKTOR365_API, FakeDoktor365 } from './doktor365.ts';
export { EASYPOST_API, FakeEasyPost } from './easypost.ts';
export { EFATURA_API, FakeEFatura, fakeInvoicePdf } from './efatura.ts';
export {
  authExpired,
  connectionErrors,
  type FailureTarget,
  hang,
  type InjectedFailure,
  rateLimited,
  serverErrors,
} from './failures.ts';
export { FakeFcm, FCM_API, GOOGLE_TOKEN_URL } from './fcm.ts';
export {
  type FakeFhirClientRegistration,
  type FakeFhirRule,
  FakeFhirServer,
  FHIR_API,
  outcome as fhirOutcome,
} from './fhir.ts';
export { FakeHubSpot, HUBSPOT_API } from './hubspot.ts';
export { FakeIyzico, IYZICO_API } from './iyzico.ts';
export { FakeJitsi, JITSI_DOMAIN } from './jitsi.ts';
export { FakeLiveKit, type FakeLiveKitRoom, LIVEKIT_API } from './livekit.ts';
export { InMemoryObjectStorage } from './object-storage.ts';
export { FakeOrthanc, type FakeOrthancStudy, ORTHANC_API } from './orthanc.ts';
export { FakeRazorpay, RAZORPAY_API } from './razorpay.ts';
export { FakeScreening } from './screening.ts';
export { FakeSegment, SEGMENT_API } from './segment.ts';
export { FakeSendGrid, SENDGRID_API } from './sendgrid.ts';
export { type ServedFakeProvider, serveFakeProvider } from './serve.ts';
export { FakeStripe, STRIPE_API } from './stripe.ts';
export { CARC_SYSTEM, FakeTpa, TPA_API, type TpaDecision } from './tpa.ts';
export { FakeTwilio, TWILIO_API } from './twilio.ts';
export { FakeUshas, USHAS_API } from './ushas.ts';
export {
  FakeVisaPartner,
  VISA_PARTNER_API,
  type VisaScriptedOutcome,
} from './visa.ts';
export { FakeWhatsApp, WHATSAPP_API } from './whatsapp.ts';
