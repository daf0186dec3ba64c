/**
 * Writes a tenant's catalogue in the fake API as the server's `pricing` and
 * `capacity` imports would: the practitioner and service by their refs
 * (created once, reused after), the price per clinic and currency, and the slot.
 */
import { newId } from '../../contract/index.ts';
import type { CatalogueSeed, CatalogueSeeder } from '../contract-suite/types.ts';
import type { TenantState } from './tenant-state.ts';

/**
 * A seeder of `tenant`'s catalogue.
 *
 * @example
 * await createFakeCatalogueSeeder(api.state.tenant(tenantId), () => new Date()).seed(input);
 */
export function createFakeCatalogueSeeder(tenant: TenantState, now: () => Date): CatalogueSeeder {
  return {
    seed: async (input: CatalogueSeed) => {
      const at = now().toISOString();
      const practitioner =
        tenant.practitioners.values().find((p) => p.ref === input.practitionerRef) ??
        tenant.practitioners.insert({
          id: newId('prc'),
          ref: input.practitionerRef,
          name: input.practitionerName,
          specialty: null,
          createdAt: at,
          updatedAt: at,
        });
      const existing = tenant.services.values().find((s) => s.code === input.serviceCode);
      const price = { clinicRef: input.clinicRef, price: input.price };
      const service = existing
        ? tenant.services.update({
            ...existing,
            prices: [
              ...existing.prices.filter(
                (p) => p.clinicRef !== input.clinicRef || p.price.currency !== input.price.currency,
              ),
              price,
            ],
            updatedAt: at,
          })
        : tenant.services.insert({
            id: newId('svc'),
            code: input.serviceCode,
            name: input.serviceName,
            durationMinutes: null,
            prices: [price],
            createdAt: at,
            updatedAt: at,
          });
      tenant.slots.insert({
        id: newId('slt'),
        serviceId: service.id,
        practitionerId: practitioner.id,
        clinicRef: input.clinicRef,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        capacity: input.capacity,
        booked: 0,
        available: input.capacity,
      });
    },
  };
}
