/**
 * Batched writers of the `pricing` and `capacity` kinds (the catalogue's
 * services, prices, practitioners and slots). Each statement upserts many
 * rows on their natural keys; rows of a batch that share a key are merged
 * first, in file order, to what writing them one by one would leave (a
 * statement cannot upsert one row twice). Slots are the exception: a slot's
 * upsert is refused below its booked places, so a repeated slot starts a
 * new statement and each row meets the state the rows before it left.
 * The catalogue emits no events.
 */
import { newId } from '@clinicbridge/sdk/contract';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { ChangeContext } from '../../kernel/change.ts';
import type { capacitySchema, pricingSchema } from '../catalogue-rows.ts';
import { toMinorUnits } from '../cells.ts';
import type { RowReject } from '../row-kind.ts';
import { type BatchKind, type PreparedRow, passThrough, slices } from './batch-kind.ts';

type PricingInput = ReturnType<typeof pricingSchema.parse>;
type CapacityInput = ReturnType<typeof capacitySchema.parse>;

/** Last value wins; `optional` keeps the last defined one (undefined leaves the stored value). */
function mergeByKey<T, V>(
  rows: readonly T[],
  key: (row: T) => string,
  merge: (earlier: V | undefined, row: T) => V,
): Map<string, V> {
  const merged = new Map<string, V>();
  for (const row of rows) merged.set(key(row), merge(merged.get(key(row)), row));
  return merged;
}

async function upsertServices(
  db: Kysely<DB>,
  change: ChangeContext,
  rows: readonly PricingInput[],
): Promise<Map<string, string>> {
  const merged = mergeByKey(
    rows,
    (r) => r.serviceCode,
    (earlier: { name: string; duration: number | undefined } | undefined, r) => ({
      name: r.serviceName,
      duration: r.durationMinutes ?? earlier?.duration,
    }),
  );
  const ids = new Map<string, string>();
  for (const slice of slices([...merged], 1_000)) {
    const saved = await db
      .insertInto('services')
      .values(
        slice.map(([code, { name, duration }]) => ({
          id: newId('svc'),
          tenant_id: change.tenantId,
          code,
          name,
          duration_minutes: duration ?? null,
          created_at: change.now,
          updated_at: change.now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'code']).doUpdateSet({
          name: (eb) => eb.ref('excluded.name'),
          duration_minutes: sql`coalesce(excluded.duration_minutes, services.duration_minutes)`,
          updated_at: (eb) => eb.ref('excluded.updated_at'),
        }),
      )
      .returning(['id', 'code'])
      .execute();
    for (const s of saved) ids.set(s.code, s.id);
  }
  return ids;
}

type PricingValue = { input: PricingInput; amount: number };

/**
 * The `pricing` kind: the price is read with its currency in `prepare`; services then prices are upserted.
 *
 * @example
 * await pricingBatches.write(trx, change, prepared);
 */
export const pricingBatches: BatchKind<PricingValue> = {
  prepare(input, at) {
    const row = input as PricingInput;
    const amount = toMinorUnits(row.price, row.currency);
    if (amount === null || amount < 0) {
      const reject: RowReject = {
        row: at.row,
        column: 'price',
        value: row.price,
        message: `price must be a non-negative amount with at most the decimals ${row.currency} has (e.g. 1500.50)`,
        code: 'invalid_format',
        severity: 'error',
      };
      return { ok: false, rejects: [reject] };
    }
    return { ok: true, value: { input: row, amount } };
  },
  async write(db, change, rows) {
    if (rows.length === 0) return [];
    const services = await upsertServices(
      db,
      change,
      rows.map((r) => r.value.input),
    );
    const prices = mergeByKey<PreparedRow<PricingValue>, PricingValue>(
      rows,
      ({ value: { input } }) =>
        JSON.stringify([input.serviceCode, input.clinicRef, input.currency]),
      (_: unknown, { value }) => value,
    );
    for (const slice of slices([...prices.values()], 1_000)) {
      await db
        .insertInto('service_prices')
        .values(
          slice.map(({ input, amount }) => ({
            service_id: services.get(input.serviceCode) as string,
            tenant_id: change.tenantId,
            clinic_ref: input.clinicRef,
            currency: input.currency,
            amount,
            updated_at: change.now,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['service_id', 'clinic_ref', 'currency']).doUpdateSet({
            amount: (eb) => eb.ref('excluded.amount'),
            updated_at: (eb) => eb.ref('excluded.updated_at'),
          }),
        )
        .execute();
    }
    return [];
  },
};

async function upsertPractitioners(
  db: Kysely<DB>,
  change: ChangeContext,
  rows: readonly CapacityInput[],
): Promise<Map<string, string>> {
  const merged = mergeByKey(
    rows,
    (r) => r.practitionerRef,
    (earlier: { name: string; specialty: string | undefined } | undefined, r) => ({
      name: r.practitionerName,
      specialty: r.specialty ?? earlier?.specialty,
    }),
  );
  const ids = new Map<string, string>();
  for (const slice of slices([...merged], 1_000)) {
    const saved = await db
      .insertInto('practitioners')
      .values(
        slice.map(([ref, { name, specialty }]) => ({
          id: newId('prc'),
          tenant_id: change.tenantId,
          ref,
          name,
          specialty: specialty ?? null,
          created_at: change.now,
          updated_at: change.now,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'ref']).doUpdateSet({
          name: (eb) => eb.ref('excluded.name'),
          specialty: sql`coalesce(excluded.specialty, practitioners.specialty)`,
          updated_at: (eb) => eb.ref('excluded.updated_at'),
        }),
      )
      .returning(['id', 'ref'])
      .execute();
    for (const p of saved) ids.set(p.ref, p.id);
  }
  return ids;
}

interface SlotRow {
  row: number;
  input: CapacityInput;
  practitionerId: string;
  serviceId: string;
  key: string;
}

/** Runs of slots in which no slot repeats: one statement each. */
function* runsWithoutRepeats(slots: readonly SlotRow[]): Generator<SlotRow[]> {
  let run: SlotRow[] = [];
  let keys = new Set<string>();
  for (const slot of slots) {
    if (keys.has(slot.key) || run.length === 1_000) {
      yield run;
      run = [];
      keys = new Set();
    }
    run.push(slot);
    keys.add(slot.key);
  }
  if (run.length > 0) yield run;
}

async function upsertSlots(
  db: Kysely<DB>,
  change: ChangeContext,
  run: readonly SlotRow[],
): Promise<Set<string>> {
  const saved = await db
    .insertInto('slots')
    .values(
      run.map(({ input, practitionerId, serviceId }) => ({
        id: newId('slt'),
        tenant_id: change.tenantId,
        service_id: serviceId,
        practitioner_id: practitionerId,
        clinic_ref: input.clinicRef ?? null,
        starts_at: new Date(input.startsAt),
        ends_at: new Date(input.endsAt),
        capacity: input.capacity,
        booked: 0,
        created_at: change.now,
        updated_at: change.now,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'practitioner_id', 'service_id', 'starts_at'])
        .doUpdateSet({
          ends_at: (eb) => eb.ref('excluded.ends_at'),
          capacity: (eb) => eb.ref('excluded.capacity'),
          clinic_ref: (eb) => eb.ref('excluded.clinic_ref'),
          updated_at: (eb) => eb.ref('excluded.updated_at'),
        })
        // Never below the places already taken: the row is then left as it is.
        .where('slots.booked', '<=', (eb) => eb.ref('excluded.capacity')),
    )
    .returning(['practitioner_id', 'service_id', 'starts_at'])
    .execute();
  return new Set(saved.map((s) => slotKey(s.practitioner_id, s.service_id, new Date(s.starts_at))));
}

const slotKey = (practitionerId: string, serviceId: string, startsAt: Date) =>
  `${practitionerId}|${serviceId}|${startsAt.getTime()}`;

/**
 * The `capacity` kind: the service must exist (a `pricing` import creates
 * it); practitioners are upserted by ref, then the slots; a capacity below
 * the places already booked is refused, a slot in the past is kept with a warning.
 *
 * @example
 * const rejects = await capacityBatches.write(trx, change, prepared);
 */
export const capacityBatches: BatchKind<CapacityInput> = {
  prepare: passThrough<CapacityInput>(),
  async write(db, change, rows) {
    if (rows.length === 0) return [];
    const rejects: RowReject[] = [];
    const codes = [...new Set(rows.map((r) => r.value.serviceCode))];
    const services = new Map<string, string>();
    for (const slice of slices(codes, 1_000)) {
      const found = await db
        .selectFrom('services')
        .select(['id', 'code'])
        .where('tenant_id', '=', change.tenantId)
        .where('code', 'in', slice)
        .execute();
      for (const s of found) services.set(s.code, s.id);
    }
    const known: PreparedRow<CapacityInput>[] = [];
    for (const r of rows) {
      if (services.has(r.value.serviceCode)) known.push(r);
      else {
        rejects.push({
          row: r.row,
          column: 'serviceCode',
          value: r.value.serviceCode,
          message: 'no service has this code; import it with its prices (kind pricing) first',
          code: 'not_found',
          severity: 'error',
        });
      }
    }
    const practitioners = await upsertPractitioners(
      db,
      change,
      known.map((r) => r.value),
    );
    const slots = known.map(({ row, value }): SlotRow => {
      const practitionerId = practitioners.get(value.practitionerRef) as string;
      const serviceId = services.get(value.serviceCode) as string;
      const key = slotKey(practitionerId, serviceId, new Date(value.startsAt));
      return { row, input: value, practitionerId, serviceId, key };
    });
    for (const run of runsWithoutRepeats(slots)) {
      const saved = await upsertSlots(db, change, run);
      for (const { row, input, key } of run) {
        if (!saved.has(key)) {
          rejects.push({
            row,
            column: 'capacity',
            value: String(input.capacity),
            message:
              'the slot already has more bookings than this capacity; cancel bookings first or raise it',
            code: 'invalid_value',
            severity: 'error',
          });
        } else if (new Date(input.startsAt) < change.now) {
          rejects.push({
            row,
            column: 'startsAt',
            value: input.startsAt,
            message: 'the slot starts in the past; it is stored, check the date',
            code: 'in_past',
            severity: 'warning',
          });
        }
      }
    }
    return rejects.sort((a, b) => a.row - b.row);
  },
};
