/**
 * A fake insurer/TPA on the fake FHIR server: enrolled members answer
 * eligibility requests (others are ineligible with X12 CARC 31), claims and
 * pre-authorisations are adjudicated as soon as they are written, by a
 * script per claim (approve, deny with reason codes, or leave queued),
 * and `settle` pays an approved claim with a remittance advice
 * (`PaymentReconciliation`). Failures: `outage` puts a burst of 503s in
 * front of one kind of call; the generic injectors in `failures.ts` work too.
 */
import type {
  Claim,
  ClaimResponse,
  CoverageEligibilityRequest,
  CoverageEligibilityResponse,
  PaymentReconciliation,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { fromMinorUnits } from '../core/money.ts';
import { type InjectedFailure, serverErrors } from './failures.ts';
import { type FakeFhirClientRegistration, FakeFhirServer } from './fhir.ts';

/**
 * Base URL the fake TPA answers on.
 *
 * @example
 * createFhirInsuranceGateway({ baseUrl: TPA_API, providerRef: 'clinic_1' });
 */
export const TPA_API = 'https://tpa.example.test/fhir';

/**
 * X12 claim adjustment reason codes, the reason-code system of the fake's answers.
 *
 * @example
 * tpa.decide('clm_1', { kind: 'deny', reasons: ['197'] });
 */
export const CARC_SYSTEM = 'https://x12.org/codes/claim-adjustment-reason-codes';

const CLAIM_SYSTEM = 'https://clinicbridge.dev/fhir/sid/claim-id';
const REMITTANCE_SYSTEM = 'https://clinicbridge.dev/fhir/sid/remittance-id';
const ADJUDICATION = 'http://terminology.hl7.org/CodeSystem/adjudication';

/**
 * What the payer decides about one submission.
 *
 * @example
 * const decision: TpaDecision = { kind: 'approve', amount: 180_000 };
 */
export type TpaDecision =
  | { kind: 'approve'; amount?: number }
  | { kind: 'deny'; reasons: string[] }
  | { kind: 'queue' };

const reasonConcepts = (codes: readonly string[]) =>
  codes.map((code) => ({ code: { coding: [{ system: CARC_SYSTEM, code }] } }));

/**
 * State of the fake TPA.
 *
 * @example
 * const tpa = new FakeTpa();
 * tpa.enrol('M-1');
 * tpa.decide('clm_1', { kind: 'deny', reasons: ['16'] }, { kind: 'approve' });
 * server.use(...tpa.handlers());
 */
export class FakeTpa {
  readonly fhir: FakeFhirServer;
  /** Member ids and whether their coverage is in force. */
  readonly members = new Map<string, boolean>();
  private readonly scripts = new Map<string, TpaDecision[]>();
  private remittances = 0;

  constructor(
    options: {
      baseUrl?: string;
      clients?: Record<string, FakeFhirClientRegistration>;
    } = {},
  ) {
    this.fhir = new FakeFhirServer({
      baseUrl: options.baseUrl ?? TPA_API,
      ...(options.clients ? { clients: options.clients } : {}),
    });
    this.fhir.onWrite.push((resource) => this.adjudicate(resource));
  }

  /** The base URL of the payer's FHIR API. */
  get baseUrl(): string {
    return this.fhir.baseUrl;
  }

  /** Enrols a member (coverage in force unless `active` is false). */
  enrol(memberId: string, active = true): void {
    this.members.set(memberId, active);
  }

  /** Queues the decisions for the next submissions of `claimRef` (default: approve in full). */
  decide(claimRef: string, ...decisions: TpaDecision[]): void {
    this.scripts.set(claimRef, [...(this.scripts.get(claimRef) ?? []), ...decisions]);
  }

  /** The payer's copy of a claim, by ClinicBridge claim id. */
  claim(claimRef: string): Claim | undefined {
    return this.fhir.find<Claim>('Claim', `identifier=${CLAIM_SYSTEM}|${claimRef}`)[0];
  }

  /** Claims the payer holds for `claimRef` (one, however often it was submitted). */
  claimCount(claimRef: string): number {
    return this.fhir.find('Claim', `identifier=${CLAIM_SYSTEM}|${claimRef}`).length;
  }

  /** A burst of 503s on one kind of call (eligibility requests, claim writes, or status reads). */
  outage(kind: 'eligibility' | 'submit' | 'status', times = 1): InjectedFailure {
    const base = this.baseUrl.replace(/[.]/g, '\\.');
    const targets = {
      eligibility: {
        method: 'post' as const,
        url: new RegExp(`^${base}/CoverageEligibilityRequest$`),
      },
      submit: { method: 'all' as const, url: new RegExp(`^${base}/Claim(/[^/?]+)?$`) },
      status: { method: 'get' as const, url: new RegExp(`^${base}/ClaimResponse`) },
    };
    return serverErrors({ ...targets[kind], times });
  }

  /**
   * Pays an approved claim: the ClaimResponse gains the payment and a
   * remittance advice lists it. Returns the remittance reference.
   */
  settle(
    claimRef: string,
    options: { amount?: number; remittanceRef?: string; paidAt?: string } = {},
  ): string {
    const claim = this.claim(claimRef);
    const response = claim ? this.latestResponse(claim) : undefined;
    const benefit = response?.total?.find(
      (t) => t.category.coding?.[0]?.code === 'benefit',
    )?.amount;
    if (!claim || !response || !benefit)
      throw new Error(`claim ${claimRef} is not approved at the fake TPA`);
    this.remittances += 1;
    const remittanceRef =
      options.remittanceRef ?? `RA-${String(this.remittances).padStart(4, '0')}`;
    const paidAt = options.paidAt ?? this.fhir.now().toISOString().slice(0, 10);
    const currency = benefit.currency ?? 'USD';
    const amount =
      options.amount === undefined
        ? benefit
        : { value: Number(fromMinorUnits(options.amount, currency)), currency };
    this.fhir.seed<ClaimResponse>({
      ...response,
      payment: {
        type: {
          coding: [
            { system: 'http://terminology.hl7.org/CodeSystem/ex-paymenttype', code: 'complete' },
          ],
        },
        date: paidAt,
        amount,
        identifier: { system: REMITTANCE_SYSTEM, value: remittanceRef },
      },
    });
    this.fhir.seed<PaymentReconciliation>({
      resourceType: 'PaymentReconciliation',
      identifier: [{ system: REMITTANCE_SYSTEM, value: remittanceRef }],
      status: 'active',
      created: this.fhir.now().toISOString(),
      paymentDate: paidAt,
      paymentAmount: amount,
      outcome: 'complete',
      detail: [
        {
          type: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/payment-type', code: 'payment' },
            ],
          },
          request: { reference: `Claim/${claim.id}` },
          identifier: { system: CLAIM_SYSTEM, value: claimRef },
          amount,
        },
      ],
    });
    return remittanceRef;
  }

  /** MSW handlers of the payer's API. */
  handlers() {
    return this.fhir.handlers();
  }

  private latestResponse(claim: Claim): ClaimResponse | undefined {
    return this.fhir.find<ClaimResponse>('ClaimResponse', `request=Claim/${claim.id}`).at(-1);
  }

  private adjudicate(resource: Resource): void {
    if (resource.resourceType === 'CoverageEligibilityRequest') this.answerEligibility(resource);
    if (resource.resourceType === 'Claim') this.answerClaim(resource);
  }

  private answerEligibility(request: CoverageEligibilityRequest): void {
    const memberId = (request.insurance?.[0]?.coverage as Reference | undefined)?.identifier?.value;
    const active = memberId !== undefined && this.members.get(memberId) === true;
    const known = memberId !== undefined && this.members.has(memberId);
    this.fhir.seed<CoverageEligibilityResponse>({
      resourceType: 'CoverageEligibilityResponse',
      status: 'active',
      purpose: request.purpose,
      patient: request.patient,
      created: this.fhir.now().toISOString(),
      request: { reference: `CoverageEligibilityRequest/${request.id}` },
      outcome: 'complete',
      insurer: request.insurer,
      insurance: [{ coverage: request.insurance?.[0]?.coverage ?? {}, inforce: active }],
      ...(active ? {} : { error: reasonConcepts([known ? '27' : '31']) }),
    });
  }

  private answerClaim(claim: Claim): void {
    const claimRef = claim.identifier?.[0]?.value ?? '';
    const decision = this.scripts.get(claimRef)?.shift() ?? { kind: 'approve' };
    const base = {
      resourceType: 'ClaimResponse' as const,
      status: 'active' as const,
      type: claim.type,
      use: claim.use,
      patient: claim.patient,
      created: this.fhir.now().toISOString(),
      insurer: claim.insurer ?? {},
      request: { reference: `Claim/${claim.id}/_history/${claim.meta?.versionId ?? '1'}` },
    };
    if (decision.kind === 'queue') {
      this.fhir.seed<ClaimResponse>({ ...base, outcome: 'queued' });
      return;
    }
    if (decision.kind === 'deny') {
      this.fhir.seed<ClaimResponse>({
        ...base,
        outcome: 'complete',
        disposition: 'Denied',
        error: reasonConcepts(decision.reasons),
      });
      return;
    }
    const total = claim.total ?? { value: 0, currency: 'USD' };
    const currency = total.currency ?? 'USD';
    const amount =
      decision.amount === undefined
        ? total
        : { value: Number(fromMinorUnits(decision.amount, currency)), currency };
    this.fhir.seed<ClaimResponse>({
      ...base,
      outcome: 'complete',
      disposition: 'Approved',
      ...(claim.use === 'preauthorization' ? { preAuthRef: `PA-${claim.id}` } : {}),
      total: [{ category: { coding: [{ system: ADJUDICATION, code: 'benefit' }] }, amount }],
    });
  }
}
