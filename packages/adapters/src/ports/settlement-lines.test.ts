import { describe, expect, it } from 'vitest';
import type { SettlementLine } from './payment.ts';
import { createSettlementCollector } from './settlement-lines.ts';

const line = (id: string): SettlementLine => ({
  id,
  type: 'charge',
  grossMinor: 100,
  feeMinor: 3,
  netMinor: 97,
  currency: 'EUR',
  occurredAt: '2026-11-01T00:00:00.000Z',
});

describe('createSettlementCollector', () => {
  it('keeps every line while there is room and reports them untruncated', () => {
    const collector = createSettlementCollector(3);
    expect(collector.addAll(['a', 'b'], line)).toBe(true);
    expect(collector.addAll(['c'], line)).toBe(true);
    const report = collector.report('stripe', { from: 'f', to: 't' });
    expect(report).toEqual({
      provider: 'stripe',
      from: 'f',
      to: 't',
      lines: [line('a'), line('b'), line('c')],
      truncated: false,
    });
  });

  it('refuses the line past the bound, marks the report truncated and never maps the rest', () => {
    const collector = createSettlementCollector(2);
    const mapped: string[] = [];
    const toLine = (id: string) => {
      mapped.push(id);
      return line(id);
    };
    expect(collector.addAll(['a', 'b', 'c', 'd'], toLine)).toBe(false);
    expect(collector.truncated).toBe(true);
    expect(mapped).toEqual(['a', 'b']);
    expect(collector.report('razorpay', { from: 'f', to: 't' }).lines.map((l) => l.id)).toEqual([
      'a',
      'b',
    ]);
  });

  it('counts unread provider lines as truncation only when the bound is reached', () => {
    const roomy = createSettlementCollector(2);
    roomy.addAll(['a'], line);
    roomy.noteMore();
    expect(roomy.truncated).toBe(false);

    const full = createSettlementCollector(1);
    expect(full.addAll(['a'], line)).toBe(true);
    full.noteMore();
    expect(full.truncated).toBe(true);
  });
});
