/** The contract itself: ids, money, pagination queries, scopes, the operation table, the appointment state machine, payment rules and the event catalogue. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as z from 'zod/mini';
import {
  appointmentOperations,
  buildPath,
  clinicBridgeEvent,
  errorCodes,
  eventTypes,
  hasScope,
  idSchema,
  invoiceOperations,
  lineTax,
  listOperations,
  money,
  newId,
  nextAppointmentStatus,
  operations,
  pageQuery,
  parseScopeList,
  paymentOperations,
  scopes,
} from './index.ts';

describe('ids', () => {
  test('newId carries the prefix and 26 base32 characters, and never repeats', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = newId('apt');
      expect(id).toMatch(/^apt_[a-z2-7]{26}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
  });

  test('idSchema accepts its own prefix only', () => {
    expect(idSchema('apt').safeParse(newId('apt')).success).toBe(true);
    expect(idSchema('apt').safeParse(newId('pat')).success).toBe(false);
    expect(idSchema('apt').safeParse('apt_short').success).toBe(false);
    expect(idSchema('apt').safeParse("apt_' OR 1=1 --aaaaaaaaaa").success).toBe(false);
  });
});

describe('money', () => {
  test('integer minor units and an ISO 4217 code only', () => {
    expect(money.safeParse({ amount: 1999, currency: 'EUR' }).success).toBe(true);
    expect(money.safeParse({ amount: 19.99, currency: 'EUR' }).success).toBe(false);
    expect(money.safeParse({ amount: -1, currency: 'EUR' }).success).toBe(false);
    expect(money.safeParse({ amount: 1, currency: 'EURO' }).success).toBe(false);
    expect(money.safeParse({ amount: 1, currency: 'ABC' }).success).toBe(false);
  });

  test('lineTax rounds half up in minor units', () => {
    expect(lineTax(1000, 1800)).toBe(180);
    expect(lineTax(5, 1000)).toBe(1); // 0.5 → 1
    expect(lineTax(4, 1000)).toBe(0);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 0, max: 10_000 }),
        (s, r) => {
          const t = lineTax(s, r);
          return Number.isInteger(t) && Math.abs(t - (s * r) / 10_000) <= 0.5;
        },
      ),
    );
  });
});

describe('pagination', () => {
  test('limit is coerced from the query string and bounded', () => {
    expect(pageQuery.parse({ limit: '10' })).toEqual({ limit: 10 });
    expect(pageQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(pageQuery.safeParse({ limit: '101' }).success).toBe(false);
    expect(pageQuery.safeParse({ limit: '1.5' }).success).toBe(false);
    expect(pageQuery.safeParse({ limit: 'abc' }).success).toBe(false);
    expect(pageQuery.safeParse({ cursor: '' }).success).toBe(false);
    expect(pageQuery.safeParse({ other: 'x' }).success).toBe(false);
  });
});

describe('scopes', () => {
  test('parseScopeList accepts known scopes separated by spaces or commas', () => {
    expect(parseScopeList('read:appointments write:appointments')).toEqual([
      'read:appointments',
      'write:appointments',
    ]);
    expect(parseScopeList('read:appointments,read:appointments')).toEqual(['read:appointments']);
    expect(parseScopeList('read:appointments root')).toBeNull();
  });

  test('the PII scope implies the plain read scope, writes imply nothing', () => {
    expect(hasScope(['read:patients:pii'], 'read:patients')).toBe(true);
    expect(hasScope(['write:patients'], 'read:patients')).toBe(false);
    expect(hasScope(['read:patients'], 'read:patients:pii')).toBe(false);
  });
});

describe('operations', () => {
  const all = listOperations();

  test('ids and method + path pairs are unique', () => {
    expect(new Set(all.map((o) => o.id)).size).toBe(all.length);
    expect(new Set(all.map((o) => `${o.method} ${o.path}`)).size).toBe(all.length);
  });

  test('each operation is filed under its resource and action', () => {
    for (const [resource, group] of Object.entries(operations)) {
      for (const [action, op] of Object.entries(group)) expect(op.id).toBe(`${resource}.${action}`);
    }
  });

  test('writes and reads are declared consistently', () => {
    for (const op of all) {
      expect(op.write, op.id).toBe(op.method !== 'GET');
      if (op.write) expect(op.scope.startsWith('read:'), op.id).toBe(false);
      expect(op.scope && scopes.includes(op.scope), op.id).toBe(true);
      if (op.status === 204) expect(op.response, op.id).toBeUndefined();
      else expect(op.response, op.id).toBeDefined();
      if (op.paginated) expect(op.query, op.id).toBeDefined();
    }
  });

  test('path placeholders match the params schema', () => {
    for (const op of all) {
      const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const shape = op.params ? Object.keys((op.params as z.ZodMiniObject)._zod.def.shape) : [];
      expect(shape.sort(), op.id).toEqual(names.sort());
    }
  });

  test('request bodies reject unknown fields', () => {
    for (const op of all) {
      if (!op.body) continue;
      const result = z.safeParse(op.body, { __unknown__: 1 });
      expect(result.success, op.id).toBe(false);
      const codes = result.error?.issues.map((i) => i.code) ?? [];
      expect(codes, op.id).toContain('unrecognized_keys');
    }
  });

  test('every schema converts to JSON Schema (OpenAPI generation)', () => {
    for (const op of all) {
      for (const s of [op.params, op.query, op.body]) {
        if (s)
          expect(
            () => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }),
            op.id,
          ).not.toThrow();
      }
      if (op.response)
        expect(() => z.toJSONSchema(op.response!, { unrepresentable: 'any' }), op.id).not.toThrow();
    }
  });

  test('buildPath encodes values and refuses missing params', () => {
    expect(buildPath('/a/{x}/b', { x: 'p q/r' })).toBe('/a/p%20q%2Fr/b');
    expect(() => buildPath('/a/{x}', {})).toThrow(/missing path parameter "x"/);
  });
});

describe('appointments', () => {
  test('the state machine allows only legal moves', () => {
    expect(nextAppointmentStatus('scheduled', 'cancel')).toBe('cancelled');
    expect(nextAppointmentStatus('scheduled', 'complete')).toBe('completed');
    expect(nextAppointmentStatus('scheduled', 'reschedule')).toBe('scheduled');
    for (const from of ['cancelled', 'completed'] as const) {
      for (const action of ['cancel', 'complete', 'reschedule'] as const) {
        expect(nextAppointmentStatus(from, action)).toBeNull();
      }
    }
  });

  test('an appointment must end after it starts', () => {
    const body = {
      patientId: newId('pat'),
      service: 'Dental implant consultation',
      startsAt: '2026-12-01T10:00:00Z',
      endsAt: '2026-12-01T09:00:00Z',
    };
    const r = z.safeParse(appointmentOperations.create.body, body);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['endsAt']);
    expect(
      z.safeParse(appointmentOperations.create.body, { ...body, endsAt: '2026-12-01T11:00:00Z' })
        .success,
    ).toBe(true);
  });
});

describe('money operations', () => {
  test('invoice lines must use the invoice currency', () => {
    const body = {
      patientId: newId('pat'),
      currency: 'EUR',
      lines: [
        { description: 'Consultation', quantity: 1, unitPrice: { amount: 5000, currency: 'USD' } },
      ],
    };
    expect(z.safeParse(invoiceOperations.create.body, body).success).toBe(false);
    body.lines[0]!.unitPrice.currency = 'EUR';
    expect(z.safeParse(invoiceOperations.create.body, body).success).toBe(true);
  });

  test('a payment may not capture less than was authorised', () => {
    const body = {
      invoiceId: newId('inv'),
      amount: { amount: 5000, currency: 'EUR' },
      authorizedAmount: { amount: 6000, currency: 'EUR' },
      method: 'card',
      source: 'terminal',
    };
    expect(z.safeParse(paymentOperations.create.body, body).success).toBe(false);
    body.authorizedAmount.amount = 5000;
    expect(z.safeParse(paymentOperations.create.body, body).success).toBe(true);
  });
});

describe('events', () => {
  test('the catalogue covers the documented types', () => {
    for (const t of [
      'appointment.created',
      'appointment.cancelled',
      'visit.completed',
      'invoice.created',
      'payment.received',
      'payment.failed',
      'refund.issued',
      'visa.granted',
      'flight.cancelled',
      'stay.unavailable',
      'message.read',
      'claim.settled',
      'escrow.released',
      'webhook_endpoint.disabled',
    ]) {
      expect(eventTypes).toContain(t);
    }
  });

  test('an envelope is checked against its type', () => {
    const base = {
      id: newId('evt'),
      occurredAt: '2026-11-22T10:00:00Z',
      entityType: 'payment',
      entityId: newId('pay'),
      tenantId: newId('ten'),
    };
    const data = {
      paymentId: base.entityId,
      invoiceId: newId('inv'),
      amount: { amount: 100, currency: 'EUR' },
      method: 'card',
      invoiceBalance: { amount: 0, currency: 'EUR' },
    };
    const ok = clinicBridgeEvent.parse({ ...base, type: 'payment.received', data });
    expect(ok.type).toBe('payment.received');
    expect(
      clinicBridgeEvent.safeParse({ ...base, type: 'payment.received', data: {} }).success,
    ).toBe(false);
    expect(clinicBridgeEvent.safeParse({ ...base, type: 'no.such', data }).success).toBe(false);
  });
});

test('every error code maps to a 4xx or 5xx status', () => {
  for (const [code, status] of Object.entries(errorCodes)) {
    expect(status >= 400 && status < 600, code).toBe(true);
  }
});
