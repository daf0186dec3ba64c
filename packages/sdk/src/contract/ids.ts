/**
 * Public identifiers: a resource prefix and 130 random bits in lowercase
 * base32 (`apt_` + 26 characters). Prefixes make ids self-describing in logs
 * and support tickets; the random part makes them unguessable, so an id alone
 * never grants access and enumeration finds nothing.
 */
import * as z from 'zod/mini';

/**
 * Prefix of every public id, by resource.
 *
 * @example
 * idPrefixes.appointment; // 'apt'
 */
export const idPrefixes = {
  tenant: 'ten',
  integrationToken: 'tok',
  oauthClient: 'cli',
  patient: 'pat',
  appointment: 'apt',
  visit: 'vis',
  encounter: 'enc',
  invoice: 'inv',
  payment: 'pay',
  refund: 'ref',
  webhookEndpoint: 'whep',
  event: 'evt',
  delivery: 'dlv',
  deliveryAttempt: 'att',
  import: 'imp',
  export: 'exp',
  auditEvent: 'aud',
  integration: 'int',
  inboundWebhook: 'inb',
  claim: 'clm',
  hl7Message: 'hl7',
  hl7Facility: 'fac',
  visaApplication: 'vsa',
  teleRoom: 'tlr',
  escrow: 'esc',
  ledgerAccount: 'lac',
  ledgerTransfer: 'ltr',
  reconciliationRun: 'rcn',
  reconciliationBreak: 'rcb',
  installmentPlan: 'ipl',
  checkout: 'chk',
  practitioner: 'prc',
  service: 'svc',
  slot: 'slt',
  lead: 'lea',
  settlementLine: 'stl',
  eInvoice: 'ein',
  importMapping: 'imm',
  patientDevice: 'pdv',
  subscription: 'sbs',
  document: 'doc',
  shipment: 'shp',
} as const;

/**
 * A known id prefix, e.g. `'apt'`.
 *
 * @example
 * const prefix: IdPrefix = 'whep';
 */
export type IdPrefix = (typeof idPrefixes)[keyof typeof idPrefixes];

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const RANDOM_CHARS = 26;

// Random bytes for 128 ids, drawn in one call: a call to the system's
// generator costs about as much as one id, so a bulk import spent a third of
// its id time there. Each byte is used once (the pool is refilled, never
// reread), so ids stay independent and unguessable.
const pool = new Uint8Array(RANDOM_CHARS * 128);
let poolAt = pool.length;

/**
 * Creates a new id with the given prefix (130 random bits, base32).
 *
 * @example
 * newId('apt'); // 'apt_k3v9x2m4q7r1t5w8y6z3b2c4d5'
 */
export function newId<P extends IdPrefix>(prefix: P): `${P}_${string}` {
  if (poolAt + RANDOM_CHARS > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  let out = '';
  // 256 is a multiple of 32, so `byte & 31` is uniform: no modulo bias.
  for (let i = poolAt; i < poolAt + RANDOM_CHARS; i++) out += ALPHABET[pool[i]! & 31];
  poolAt += RANDOM_CHARS;
  return `${prefix}_${out}`;
}

/**
 * Schema of an id with the given prefix. Accepts 16–64 alphanumeric
 * characters after the prefix so ids minted elsewhere stay valid.
 *
 * @example
 * idSchema('apt').parse('apt_k3v9x2m4q7r1t5w8y6z3b2c4d5');
 */
export function idSchema<P extends IdPrefix>(prefix: P) {
  return z
    .string()
    .check(
      z.regex(new RegExp(`^${prefix}_[0-9A-Za-z]{16,64}$`), `must be a ${prefix}_… identifier`),
    ) as z.ZodMiniType<`${P}_${string}`>;
}
