import { describe, expect, test } from 'vitest';
import { readWhatsAppStatuses } from './webhook.ts';

const webhook = (statuses: unknown[]) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: 'waba', changes: [{ field: 'messages', value: { statuses } }] }],
});

describe('readWhatsAppStatuses', () => {
  test('reads delivered, read and failed statuses with the error code, skipping sent', () => {
    expect(
      readWhatsAppStatuses(
        webhook([
          { id: 'wamid.1', status: 'delivered' },
          { id: 'wamid.2', status: 'sent' },
          { id: 'wamid.3', status: 'failed', errors: [{ code: 131026 }] },
        ]),
      ),
    ).toEqual([
      { providerMessageId: 'wamid.1', status: 'delivered' },
      { providerMessageId: 'wamid.3', status: 'failed', errorCode: '131026' },
    ]);
  });

  test('reads at most 100 statuses per change and ignores malformed ones', () => {
    const many = Array.from({ length: 150 }, (_, i) => ({ id: `wamid.${i}`, status: 'read' }));
    expect(readWhatsAppStatuses(webhook(many))).toHaveLength(100);
    expect(readWhatsAppStatuses(webhook([{ status: 'read' }, 'x', null]))).toEqual([]);
    expect(readWhatsAppStatuses({ entry: 'nope' })).toEqual([]);
  });
});
