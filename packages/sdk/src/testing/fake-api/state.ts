/**
 * The test-facing view of a fake API's state: tenants and their credentials,
 * and each tenant's rows for seeding and assertions.
 */
import { newId, type Scope, scopes } from '../../contract/index.ts';
import type { CatalogueSeeder, ClinicalFeed } from '../contract-suite/types.ts';
import { createFakeCatalogueSeeder } from './catalogue-seeder.ts';
import { createFakeClinicalFeed } from './clinical-feed.ts';
import type { TenantState } from './tenant-state.ts';
import type { FakeWorld } from './world.ts';

/**
 * A tenant and an API key for it.
 *
 * @example
 * const { tenantId, apiKey }: TestTenant = api.state.createTenant();
 */
export interface TestTenant {
  readonly tenantId: `ten_${string}`;
  readonly apiKey: string;
}

/**
 * Tenants, credentials and rows of one fake API (`api.state`).
 *
 * @example
 * const other = api.state.createTenant();
 * const readOnly = api.state.createApiKey(api.state.defaultTenant.tenantId, ['read:appointments']);
 */
export class FakeApiState {
  readonly #world: FakeWorld;
  readonly #defaultKey: string;
  readonly #defaultTenantId = newId('ten');
  #defaultTenant!: TestTenant;

  constructor(world: FakeWorld, defaultApiKey: string) {
    this.#world = world;
    this.#defaultKey = defaultApiKey;
    this.reset();
  }

  /** The tenant created with the fake API, and its admin key (every scope). */
  get defaultTenant(): TestTenant {
    return this.#defaultTenant;
  }

  /** Adds a tenant with a key holding `scopes` (every scope by default). */
  createTenant(
    options: { apiKey?: string; scopes?: readonly Scope[]; tenantId?: `ten_${string}` } = {},
  ): TestTenant {
    const tenant = this.#world.createTenant(options.tenantId);
    const apiKey = this.createApiKey(tenant.id, options.scopes ?? scopes, {
      name: 'Test admin key',
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    });
    return { tenantId: tenant.id, apiKey };
  }

  /** Issues an API key for a tenant with exactly `scopes`; returns the key. */
  createApiKey(
    tenantId: string,
    keyScopes: readonly Scope[],
    options: {
      apiKey?: string;
      name?: string;
      expiresAt?: string;
      /** Addresses and CIDR ranges it may be used from (see {@link clientAddress}). */
      allowedIps?: readonly string[];
    } = {},
  ): string {
    return this.#world.auth.createApiKey({
      tenantId: this.#world.tenant(tenantId).id,
      scopes: keyScopes,
      ...options,
    }).apiKey;
  }

  /** Registers an OAuth client that may request up to `clientScopes`. */
  createOAuthClient(
    tenantId: string,
    clientScopes: readonly Scope[],
    options: { allowedIps?: readonly string[] } = {},
  ): { clientId: string; clientSecret: string } {
    const client = this.#world.auth.createOAuthClient({
      tenantId: this.#world.tenant(tenantId).id,
      scopes: clientScopes,
      ...options,
    });
    return { clientId: client.clientId, clientSecret: client.clientSecret };
  }

  /**
   * A tenant's simulated clinical (ADT) feed: admit, transfer, discharge,
   * with the encounters and `encounter.*` events the server's HL7 feed makes.
   */
  clinicalFeed(tenantId: string): ClinicalFeed {
    return createFakeClinicalFeed(this.#world.tenant(tenantId), this.#world.now);
  }

  /**
   * Writes a tenant's catalogue (practitioner, priced service, slot), as the
   * server's `pricing` and `capacity` imports do.
   */
  catalogue(tenantId: string): CatalogueSeeder {
    return createFakeCatalogueSeeder(this.#world.tenant(tenantId), this.#world.now);
  }

  /**
   * The address every request to the fake API comes from, checked against
   * credentials' IP allowlists (MSW has no socket). Default `127.0.0.1`;
   * set it to test a refused address (403 `ip_not_allowed`).
   */
  get clientAddress(): string {
    return this.#world.clientAddress;
  }

  set clientAddress(address: string) {
    this.#world.clientAddress = address;
  }

  /** The rows of a tenant, to seed or inspect. */
  tenant(tenantId: string): TenantState {
    return this.#world.tenant(tenantId);
  }

  /**
   * Forgets every row, tenant and credential, and starts again with an empty
   * default tenant under the same id and admin key, so values a test file
   * read once at the top stay valid.
   */
  reset(): void {
    this.#world.clear();
    this.#defaultTenant = this.createTenant({
      apiKey: this.#defaultKey,
      tenantId: this.#defaultTenantId,
    });
  }
}
