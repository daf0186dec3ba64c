/**
 * One in-memory table of the fake API. Every row gets a sequence number at
 * insertion; list order and pagination cursors use it, so a cursor stays
 * valid while rows are added or removed around it.
 */

/**
 * A stored row and its insertion sequence.
 *
 * @example
 * const newest: Row<Patient> | undefined = tenant.patients.rows().at(-1);
 */
export interface Row<T> {
  readonly seq: number;
  readonly value: T;
}

let sequence = 0;

/**
 * An insertion-ordered table of records keyed by `id`.
 *
 * @example
 * const patients = new Collection<{ id: string }>();
 * patients.insert({ id: 'pat_…' });
 */
export class Collection<T extends { id: string }> {
  readonly #rows = new Map<string, Row<T>>();

  /** Adds a record; its id must be new. */
  insert(value: T): T {
    if (this.#rows.has(value.id)) throw new Error(`duplicate id ${value.id}`);
    sequence += 1;
    this.#rows.set(value.id, { seq: sequence, value });
    return value;
  }

  /** The record with this id, or undefined. */
  get(id: string): T | undefined {
    return this.#rows.get(id)?.value;
  }

  /** Replaces a record, keeping its place in the order. */
  update(value: T): T {
    const row = this.#rows.get(value.id);
    if (!row) throw new Error(`no row ${value.id}`);
    this.#rows.set(value.id, { seq: row.seq, value });
    return value;
  }

  /** Removes a record; true when it existed. */
  delete(id: string): boolean {
    return this.#rows.delete(id);
  }

  /** Every row, oldest first. */
  rows(): Row<T>[] {
    return [...this.#rows.values()];
  }

  /** Every record, oldest first. */
  values(): T[] {
    return this.rows().map((r) => r.value);
  }

  /** Number of records. */
  get size(): number {
    return this.#rows.size;
  }
}
