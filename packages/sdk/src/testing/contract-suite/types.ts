/** Shapes shared by the contract suite: what a runner provides, and what each case receives. */
import type { Scope } from '../../contract/index.ts';
import type { ClinicBridge } from '../../index.ts';
import type { OperationId } from '../fake-api/operation-id.ts';

/**
 * What a runner provides: an API to test and credentials for it.
 *
 * @example
 * const target: ContractSuiteTarget = { baseUrl, apiKey, createToken: async (s) => issueKey(s), otherTenantApiKey };
 */
export interface ContractSuiteTarget {
  /** Root of the API (without `/api/v1`). */
  baseUrl: string;
  /** An API key of the main tenant holding every scope. */
  apiKey: string;
  /** Issues a credential of the main tenant holding exactly `scopes`. */
  createToken(scopes: readonly Scope[]): Promise<string>;
  /** An API key (every scope) of a second tenant, for isolation checks. */
  otherTenantApiKey: string;
  /** A `fetch` for the client to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
  /**
   * Base URL of the webhook endpoints the suite creates (each case appends
   * its own path). Default `https://partner.example.com/hooks`; a server that
   * delivers for real points it at a receiver it allows, e.g.
   * `http://127.0.0.1:4000/hooks` with `WEBHOOK_TARGET_ALLOWLIST=127.0.0.1:4000`.
   */
  webhookBaseUrl?: string;
  /**
   * The main tenant's clinical (ADT) feed, for the encounter cases; without
   * it they check only what an API with no feed must answer.
   */
  clinicalFeed?: ClinicalFeed;
  /**
   * Writes the main tenant's catalogue (as the server's `pricing` and
   * `capacity` imports do), for the catalogue cases; without it they check
   * only what an empty catalogue must answer.
   */
  catalogue?: CatalogueSeeder;
}

/**
 * One practitioner's slot of one priced service, to seed.
 *
 * @example
 * const input: CatalogueSeed = { practitionerRef: 'DR-1', practitionerName: 'Dr Ada', serviceCode: 'CONS', serviceName: 'Consultation', clinicRef: 'IST', price: { amount: 150000, currency: 'TRY' }, startsAt, endsAt, capacity: 1 };
 */
export interface CatalogueSeed {
  practitionerRef: string;
  practitionerName: string;
  serviceCode: string;
  serviceName: string;
  clinicRef: string;
  price: { amount: number; currency: string };
  startsAt: string;
  endsAt: string;
  capacity: number;
}

/**
 * Writes catalogue rows the way the target's own tooling does.
 *
 * @example
 * const seeder: CatalogueSeeder = { seed: async (input) => { await importPricing(input); await importCapacity(input); } };
 */
export interface CatalogueSeeder {
  seed(input: CatalogueSeed): Promise<void>;
}

/**
 * What a clinical-feed call names: the hospital's MRN (PID-3) and visit
 * number (PV1-19), and for an admission or a transfer the bed (PV1-3).
 *
 * @example
 * const admission: ClinicalFeedInput = { mrn: 'MRN-1', visitNumber: 'V-1', location: { pointOfCare: 'W4', room: '402', bed: 'B' } };
 */
export interface ClinicalFeedInput {
  mrn: string;
  visitNumber: string;
  location?: { pointOfCare: string; room: string; bed: string };
}

/**
 * A hospital's ADT feed into the API under test: admit (A01), transfer
 * (A02), discharge (A03). Each call resolves once its effect can be read
 * through the API. The reference server's runner sends HL7 v2 over MLLP;
 * the fake API's applies the same change to its state.
 *
 * @example
 * await feed.admit({ mrn: 'MRN-1', visitNumber: 'V-1', location: { pointOfCare: 'W4', room: '402', bed: 'B' } });
 */
export interface ClinicalFeed {
  admit(input: ClinicalFeedInput): Promise<void>;
  transfer(input: ClinicalFeedInput): Promise<void>;
  discharge(input: ClinicalFeedInput): Promise<void>;
}

/**
 * Options of `defineContractSuite`.
 *
 * @example
 * const options: ContractSuiteOptions = { name: 'reference server', setup, unsupported: ['deliveries.retry'] };
 */
export interface ContractSuiteOptions {
  /** Name of the top-level `describe` block. */
  name: string;
  /** Called once before the cases: start the API and return how to reach it. */
  setup: () => ContractSuiteTarget | Promise<ContractSuiteTarget>;
  /** Called once after the cases. */
  teardown?: () => void | Promise<void>;
  /**
   * Operations the target answers with 501 `not_implemented`. Cases using
   * them are replaced by a check that each really answers 501.
   */
  unsupported?: readonly OperationId[];
}

/**
 * What a case receives.
 *
 * @example
 * async function run({ client, unique }: CaseContext) { await client.patients.create({ givenName: 'A', familyName: 'B', externalRef: unique('p') }); }
 */
export interface CaseContext {
  /** A client authenticated with the admin key. */
  readonly client: ClinicBridge;
  /** A client authenticated with another credential of the same API. */
  clientFor(apiKey: string): ClinicBridge;
  readonly target: ContractSuiteTarget;
  /** A string unique to this run, to keep cases' rows apart in a shared tenant. */
  unique(label: string): string;
}

/**
 * One case of the suite and the operations it exercises.
 *
 * @example
 * const ping: ContractCase = { name: 'lists patients', uses: ['patients.list'], run: async ({ client }) => { await client.patients.list().page(); } };
 */
export interface ContractCase {
  readonly name: string;
  readonly uses: readonly OperationId[];
  readonly run: (ctx: CaseContext) => Promise<void>;
}
