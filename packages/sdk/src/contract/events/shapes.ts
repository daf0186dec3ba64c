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

/**
 * A patient's own message text after the server masked it (the one free-text
 * shape of the catalogue, carried by `whatsapp.inbound` only, and only for a
 * patient who consented to messaging): 1 to 1,000 characters, no control
 * characters but new lines, and nothing the masking replaces — no run of
 * three digits (phone numbers, ids, dates; spaces, dots, dashes, slashes,
 * brackets and `+` between the digits do not hide them), no `@` (an email
 * address) and no link. The patient's name is masked by the server too,
 * which the shape cannot check.
 *
 * @example
 * maskedText.parse('Can I move my appointment to [number]? Thanks, [name]');
 * maskedText.safeParse('call me on +90 555 123 45 67').success; // false
 */
export const maskedText = z.string().check(
  z.regex(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the shape refuses.
    /^(?![\s\S]*\d(?:[\s()./+-]{0,2}\d){2})(?![\s\S]*@)(?![\s\S]*(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|www\.))[^\u0000-\u0009\u000B-\u001F\u007F]{1,1000}$/,
    'must be masked text: no numbers of three digits or more, no email address or link',
  ),
);
