/**
 * The masking of a patient's message for `whatsapp.inbound`, and the reader
 * of Meta's inbound messages: contact details, numbers, links and the
 * patient's names never survive, and whatever comes in, what goes out fits
 * the catalogue's `maskedText` or is null.
 */
import { maskedText } from '@clinicbridge/sdk/contract';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { maskMessageText } from './mask.ts';
import { readWhatsAppMessages } from './whatsapp-messages.ts';

describe('maskMessageText', () => {
  test('masks links, email addresses, numbers in any script and the patient’s names', () => {
    expect(
      maskMessageText(
        'Ayşe YILMAZ here: +90 (555) 123-45-67, ayse@example.com, www.x.example, born ٠١٢٣',
        ['Ayşe', 'Yılmaz', 'Yilmaz'],
      ),
    ).toBe('[name] [name] here: +[number], [email] [link] born [number]');
    expect(maskMessageText('Dr. Yılmaz said 2 days', ['Yılmaz'])).toBe('Dr. [name] said 2 days');
  });

  test('an empty or control-only message is no text; long ones are cut to 1,000 characters', () => {
    expect(maskMessageText(' \u0000\t ')).toBeNull();
    const long = maskMessageText('ab '.repeat(600));
    expect(long?.length).toBeLessThanOrEqual(1_000);
  });

  test('whatever comes in, the result fits maskedText or is null', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1_500, unit: 'grapheme' }), fc.string(), (text, name) => {
        const out = maskMessageText(text, [name]);
        if (out !== null) {
          expect(maskedText.safeParse(out).success).toBe(true);
          expect(out).not.toMatch(/\p{Nd}(?:[\s()./+-]{0,2}\p{Nd}){2}/u);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('readWhatsAppMessages', () => {
  test('reads text, button and media messages with the sender and reply context; skips malformed ones', () => {
    const payload = {
      entry: [
        {
          changes: [
            {
              value: {
                contacts: [{ wa_id: '905551112233', profile: { name: 'Ada' } }],
                statuses: [{ id: 'wamid.S', status: 'read' }],
                messages: [
                  {
                    from: '905551112233',
                    id: 'wamid.1',
                    timestamp: '1764576000',
                    type: 'text',
                    text: { body: 'Hello' },
                    context: { id: 'wamid.SENT' },
                  },
                  { from: '905551112233', id: 'wamid.2', type: 'button', button: { text: 'Yes' } },
                  { from: '905551112233', id: 'wamid.3', type: 'image', image: { id: 'm1' } },
                  { from: '+90 555', id: 'wamid.4', type: 'text', text: { body: 'x' } },
                  { id: 'wamid.5', type: 'text' },
                ],
              },
            },
          ],
        },
      ],
    };
    expect(readWhatsAppMessages(payload)).toEqual([
      {
        id: 'wamid.1',
        from: '905551112233',
        kind: 'text',
        text: 'Hello',
        sentAt: new Date('2025-12-01T08:00:00Z'),
        replyTo: 'wamid.SENT',
        profileName: 'Ada',
      },
      {
        id: 'wamid.2',
        from: '905551112233',
        kind: 'button',
        text: 'Yes',
        sentAt: null,
        replyTo: null,
        profileName: 'Ada',
      },
      {
        id: 'wamid.3',
        from: '905551112233',
        kind: 'image',
        text: null,
        sentAt: null,
        replyTo: null,
        profileName: 'Ada',
      },
    ]);
    expect(readWhatsAppMessages({ entry: 'x' })).toEqual([]);
    expect(readWhatsAppMessages(null)).toEqual([]);
  });
});
