/**
 * The string shapes an event payload may carry besides ids, enums,
 * timestamps and currency codes. Neither admits whitespace, so neither can
 * hold a sentence: a diagnosis, a cancellation reason or a name and phone
 * number cannot ride along to partners and analytics.
 */
import * as z from 'zod/mini';

/**
 * A code: a status, an X12 or HL7 code, an ISO country code, a SKU, a flight
 * number — 1 to 64 letters, digits and `. _ : / -`, no whitespace.
 *
 * @example
 * eventCode.parse('card_declined');
 * eventCode.safeParse('the patient is unwell').success; // false
 */
export const eventCode = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'must be a code without spaces'));

/**
 * A provider's opaque reference (a booking id, a claim number, a WhatsApp
 * message id): 1 to 128 characters of letters, digits and `. _ : / - + = # @`,
 * no whitespace.
 *
 * @example
 * externalRef.parse('wamid.HBgLMTIzNDU2Nzg5MBUCABIYFjNFQjA=');
 */
export const externalRef = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._:/+=#@-]{0,127}$/,
      'must be an opaque reference without spaces',
    ),
  );

/**
 * A hospital's location code (an HL7 PL component: point of care, room,
 * bed): a code, optionally followed by one space and a part that starts with
 * a digit, as hospitals number their beds and rooms (`Bed 03`, `Ward 4B`).
 * Two words of letters (`not covered`) or a sentence never match.
 *
 * @example
 * locationCode.parse('Bed 03');
 * locationCode.safeParse('isolation room').success; // false
 */
export const locationCode = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,31}(?: [0-9][A-Za-z0-9._:/-]{0,15})?$/,
      'must be a location code: one code, optionally a space and a number',
    ),
  );
