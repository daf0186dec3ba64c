/**
 * Default provider templates for the patient notifications, used when the
 * operator configures none (`WHATSAPP_TEMPLATES`, `SMS_TEMPLATES`). Every
 * text is free of clinical detail, because SMS is not encrypted: it tells
 * the patient that something changed and who will follow up. WhatsApp
 * templates must be approved in WhatsApp Manager under these names (or
 * mapped to approved ones through `WHATSAPP_TEMPLATES`).
 */

/** SMS texts by template and locale (`{{variable}}` placeholders). */
const smsTexts: Record<string, string> = {
  appointment_confirmation: 'Hello {{givenName}}, your appointment is booked for {{startsAt}}.',
  appointment_changed: 'Hello {{givenName}}, your appointment changed; it is now at {{startsAt}}.',
  appointment_cancelled: 'Hello {{givenName}}, your appointment was cancelled.',
  visa_granted:
    'Hello {{givenName}}, good news: your visa was granted. Your care team will be in touch.',
  visa_rejected:
    'Hello {{givenName}}, there is news about your visa. Your care team will call you.',
  payment_receipt: 'Hello {{givenName}}, we received your payment of {{amount}} {{currency}}.',
  flight_changed:
    'Hello {{givenName}}, your flight {{flightNumber}} changed. Check your itinerary.',
  flight_cancelled:
    'Hello {{givenName}}, your flight {{flightNumber}} was cancelled. We are rebooking.',
  stay_unavailable:
    'Hello {{givenName}}, your hotel is no longer available. We are finding another.',
  installment_reminder: 'Hello {{givenName}}, an installment is due on {{dueDate}}.',
};

/**
 * SMS templates: English texts for every notification template.
 *
 * @example
 * defaultSmsTemplates.visa_granted?.en; // 'Hello {{givenName}}, good news: …'
 */
export const defaultSmsTemplates: Record<string, Record<string, string>> = Object.fromEntries(
  Object.entries(smsTexts).map(([name, text]) => [name, { en: text }]),
);

/**
 * WhatsApp templates: each notification template under its own name, with
 * the patient's given name as the only body variable.
 *
 * @example
 * defaultWhatsAppTemplates.visa_granted; // { name: 'visa_granted', body: ['givenName'] }
 */
export const defaultWhatsAppTemplates: Record<string, { name: string; body: string[] }> =
  Object.fromEntries(Object.keys(smsTexts).map((name) => [name, { name, body: ['givenName'] }]));
