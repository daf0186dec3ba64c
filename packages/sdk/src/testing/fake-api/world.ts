/**
 * The whole state of one fake API: its clock, credentials, idempotency table
 * and tenants. Handlers receive it through their context.
 */
import { newId } from '../../contract/index.ts';
import { AuthTable } from './auth.ts';
import { IdempotencyTable } from './idempotency.ts';
import { TenantState } from './tenant-state.ts';

/**
 * Shared state of one fake API instance.
 *
 * @example
 * const world = new FakeWorld('https://api.clinicbridge.test', () => new Date());
 * const tenant = world.createTenant();
 */
export class FakeWorld {
  readonly baseUrl: string;
  readonly now: () => Date;
  auth: AuthTable;
  idempotency = new IdempotencyTable();
  readonly tenants = new Map<string, TenantState>();
  /** The address every request comes from (MSW has no socket); checked against IP allowlists. */
  clientAddress = '127.0.0.1';

  constructor(baseUrl: string, now: () => Date) {
    this.baseUrl = baseUrl;
    this.now = now;
    this.auth = new AuthTable(now);
  }

  /** Adds an empty tenant. */
  createTenant(id: `ten_${string}` = newId('ten')): TenantState {
    if (this.tenants.has(id)) throw new Error(`the fake API already has tenant ${id}`);
    const tenant = new TenantState(id);
    this.tenants.set(id, tenant);
    return tenant;
  }

  /** The tenant with this id; throws when there is none (a test bug, not an API error). */
  tenant(id: string): TenantState {
    const tenant = this.tenants.get(id);
    if (!tenant) throw new Error(`the fake API has no tenant ${id}`);
    return tenant;
  }

  /** Forgets every tenant, credential and stored response. */
  clear(): void {
    this.tenants.clear();
    this.auth = new AuthTable(this.now);
    this.idempotency = new IdempotencyTable();
  }
}
