/**
 * Issue #10, finding 7: event payloads (the events API and partner webhooks)
 * carry ids, codes and states only — never clinical free text. The first
 * test walks every schema of the event catalogue and names each string
 * field's shape from an explicit allow-list; the second books and cancels an
 * appointment with clinical text and reads the events back. The one
 * exception is deliberate and pinned here: `whatsapp.inbound.message`, a
 * consenting patient's own message masked by the server (`maskedText`: no
 * numbers, email addresses or links), and no other field.
 */
import {
  type EventType,
  eventCode,
  eventDataSchemas,
  eventTypes,
  externalRef,
  locationCode,
  maskedText,
} from '@clinicbridge/sdk/contract';
import { describe, expect, test } from 'vitest';
import * as z from 'zod/mini';
import { call, json, startTestApp, type TestApp } from '../helpers/app.ts';
import { appointmentBody, patientBody } from '../helpers/fixtures.ts';

/** What zod/mini exposes of a schema; enough to walk it. */
type Schema = z.core.$ZodType;

interface SchemaDef {
  type: string;
  format?: string;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  element?: Schema;
  checks?: { _zod: { def: { format?: string; pattern?: RegExp } } }[];
}

const defOf = (schema: unknown) => (schema as { _zod: { def: SchemaDef } })._zod.def;
const regexOf = (schema: unknown) => defOf(schema).checks?.[0]?._zod.def.pattern?.source;

/**
 * The only string shapes an event may carry. Each is recognised by what it
 * checks, not by its name, so a plain `z.string()` can never pass.
 */
const allowedStringShapes: Record<string, (def: SchemaDef) => boolean> = {
  /** A prefixed public id (`apt_…`). */
  id: (def) => /^\^[a-z]+_\[0-9A-Za-z\]\{16,64\}\$$/.test(onlyRegex(def) ?? ''),
  /** A status, X12/HL7 code, country code, SKU, flight number. */
  code: (def) => onlyRegex(def) === regexOf(eventCode),
  /** A provider's opaque reference (no whitespace). */
  externalRef: (def) => onlyRegex(def) === regexOf(externalRef),
  /** A hospital location code: one code, optionally a space and a number (`Bed 03`). */
  locationCode: (def) => onlyRegex(def) === regexOf(locationCode),
  /** A consenting patient's message, masked: only where the next test allows it. */
  maskedText: (def) => onlyRegex(def) === regexOf(maskedText),
  timestamp: (def) => def.format === 'datetime',
  date: (def) => def.format === 'date',
  currency: (def) => def.format === 'currency_code',
};

function onlyRegex(def: SchemaDef): string | undefined {
  const checks = def.checks ?? [];
  if (checks.length !== 1) return undefined;
  const check = checks[0]?._zod.def;
  return check?.format === 'regex' ? check.pattern?.source : undefined;
}

/** Non-string leaves that cannot hold text. */
const allowedLeafTypes = new Set(['enum', 'literal', 'number', 'int', 'boolean']);

interface Leaf {
  path: string;
  type: string;
  shape: string | null;
  def: SchemaDef;
  schema: Schema;
}

function walk(schema: Schema, path: string, out: Leaf[]): void {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      for (const [key, field] of Object.entries(def.shape ?? {})) {
        walk(field, `${path}.${key}`, out);
      }
      return;
    case 'optional':
    case 'nullable':
      if (def.innerType) walk(def.innerType, path, out);
      return;
    case 'array':
      if (def.element) walk(def.element, `${path}[]`, out);
      return;
    case 'string': {
      const shape = Object.entries(allowedStringShapes).find(([, is]) => is(def))?.[0] ?? null;
      out.push({ path, type: 'string', shape, def, schema });
      return;
    }
    default:
      out.push({
        path,
        type: def.type,
        shape: allowedLeafTypes.has(def.type) ? def.type : null,
        def,
        schema,
      });
  }
}

const leaves = eventTypes.flatMap((type: EventType) => {
  const out: Leaf[] = [];
  walk(eventDataSchemas[type] as Schema, type, out);
  return out;
});

const clinicalText = [
  'HIV viral load test',
  'Patient asked to cancel; call Jane Doe on +1 555 0100',
  'not covered',
];

describe('finding 7: event payloads carry ids, codes and states only', () => {
  test('every field of every catalogued event has an allowed shape (no free text)', () => {
    expect(leaves.length).toBeGreaterThan(eventTypes.length);
    const freeText = leaves.filter((l) => l.shape === null).map((l) => `${l.path} (${l.type})`);
    expect(freeText).toEqual([]);
  });

  test('masked text is carried by whatsapp.inbound.message only, and refuses contact details', () => {
    expect(leaves.filter((l) => l.shape === 'maskedText').map((l) => l.path)).toEqual([
      'whatsapp.inbound.message',
    ]);
    for (const sample of [
      clinicalText[1],
      'write to jane@example.com',
      'my scan: https://files.example/x',
      'passport U 123 456',
    ])
      expect(z.safeParse(maskedText, sample).success, sample).toBe(false);
  });

  test('no string field of any event accepts a sentence (but the masked message)', () => {
    const accepting = leaves
      .filter((l) => l.type === 'string' && l.shape !== 'maskedText')
      .filter((l) => clinicalText.some((sample) => z.safeParse(l.schema, sample).success))
      .map((l) => l.path);
    expect(accepting).toEqual([]);
  });

  test('appointment service and cancellation reason never reach the events API', async () => {
    const t: TestApp = await startTestApp({ tenantCount: 1 });
    try {
      const token = t.tenants[0]?.apiKey ?? '';
      const patient = await json<{ id: string }>(
        await call(t.app, 'POST', '/api/v1/patients', { token, body: patientBody() }),
      );
      const booked = await json<{ id: string }>(
        await call(t.app, 'POST', '/api/v1/appointments', {
          token,
          body: appointmentBody(patient.id, { service: clinicalText[0] }),
        }),
      );
      const cancelled = await call(t.app, 'POST', `/api/v1/appointments/${booked.id}/cancel`, {
        token,
        body: { reason: clinicalText[1] },
      });
      expect(cancelled.status).toBe(200);
      const events = await call(t.app, 'GET', `/api/v1/events?entityId=${booked.id}`, { token });
      expect(events.status).toBe(200);
      const body = await json<{ data: { type: string; data: Record<string, unknown> }[] }>(events);
      expect(body.data.map((e) => e.type).sort()).toEqual([
        'appointment.cancelled',
        'appointment.created',
      ]);
      for (const event of body.data) {
        expect(Object.keys(event.data).sort()).toEqual([
          'appointmentId',
          'endsAt',
          'patientId',
          'startsAt',
          'status',
        ]);
      }
      const raw = JSON.stringify(body);
      expect(raw).not.toContain('HIV');
      expect(raw).not.toContain('Jane');
      expect(raw).not.toContain('555');
    } finally {
      await t.close();
    }
  });
});
