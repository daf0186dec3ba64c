/**
 * An in-process fake of the screening port for tests: subjects listed in
 * `hits` are hits, everything else is clear, and `unavailable` makes every
 * call fail as a screener that is down. Every call is recorded.
 */
import { ProviderError } from '../core/errors.ts';
import {
  type SanctionsScreening,
  type ScreeningInput,
  ScreeningInputSchema,
  type ScreeningResult,
} from '../ports/screening.ts';

/**
 * A fake screener.
 *
 * @example
 * const screening = new FakeScreening();
 * screening.hits.add('pay_suspicious');
 * await screening.screen({ subjectRef: 'pay_suspicious', corridor: 'NG-TR', amountMinor: 1, currency: 'EUR' }); // { outcome: 'hit', … }
 */
export class FakeScreening implements SanctionsScreening {
  readonly provider = 'fake-screening';
  /** Subject references that are hits. */
  readonly hits = new Set<string>();
  /** When true, every call throws `provider_unavailable`. */
  unavailable = false;
  /** Every screened input, in order. */
  readonly calls: ScreeningInput[] = [];

  async screen(input: ScreeningInput): Promise<ScreeningResult> {
    const valid = ScreeningInputSchema.parse(input);
    this.calls.push(valid);
    if (this.unavailable) {
      throw new ProviderError({
        code: 'provider_unavailable',
        provider: this.provider,
        operation: 'screening.screen',
      });
    }
    return {
      outcome: this.hits.has(valid.subjectRef) ? 'hit' : 'clear',
      reference: `scr_${this.calls.length}`,
    };
  }
}
