/**
 * How errors are written to the log. Database errors carry what a statement
 * was given: PGlite attaches the statement's `params` (patient names, email,
 * phone, birth dates) and `query`, PostgreSQL's `detail` repeats key values
 * and failing rows ("Failing row contains (…)"), `where` may quote a
 * parameter, and a data-exception message quotes the value it refused
 * (`invalid input syntax for type date: "1980-02-31"`). None of that may
 * reach a log line, so a database error is logged by an allowlist of fields
 * that name the failure (SQLSTATE, table, column, constraint, routine), its
 * message with quoted values masked, and its stack frames.
 */
import { pino } from 'pino';

/** What a logged database error keeps: fields that say where and why, never what. */
const DATABASE_FIELDS = [
  'code',
  'severity',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'routine',
] as const;

/** Properties any error may carry that hold statement input; dropped from every error. */
const PARAMETER_FIELDS = new Set([
  'params',
  'parameters',
  'query',
  'queryOptions',
  'detail',
  'where',
  'internalQuery',
]);

const MAX_CAUSE_DEPTH = 5;

/** A serialized error, as pino writes it. */
export type SerializedError = Record<string, unknown>;

/**
 * Serializes an error for the log without statement parameters or values.
 * Anything that is not an Error is returned unchanged.
 *
 * @example
 * pino({ serializers: { err: serializeError, error: serializeError } });
 */
export function serializeError(value: unknown): unknown {
  return serialize(value, 0);
}

function serialize(value: unknown, depth: number): unknown {
  if (!(value instanceof Error)) return value;
  if (isDatabaseError(value)) return serializeDatabaseError(value, depth);
  const out: SerializedError = { ...pino.stdSerializers.err(value) };
  for (const key of Object.keys(out)) if (PARAMETER_FIELDS.has(key)) delete out[key];
  if (value.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    out.cause = serialize(value.cause, depth + 1);
  }
  if (value instanceof AggregateError && depth < MAX_CAUSE_DEPTH) {
    out.errors = value.errors.slice(0, 10).map((error) => serialize(error, depth + 1));
  }
  return out;
}

function serializeDatabaseError(error: Error, depth: number): SerializedError {
  const fields = error as unknown as Record<string, unknown>;
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const message = maskValues(error.message, code);
  const out: SerializedError = { type: 'DatabaseError', message };
  for (const key of DATABASE_FIELDS) {
    const field = fields[key];
    if (typeof field === 'string' || typeof field === 'number') out[key] = field;
  }
  // The stack's first line repeats the message; keep only the frames.
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  out.stack = [`${error.name}: ${message}`, ...frames].join('\n');
  if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    out.cause = serialize(error.cause, depth + 1);
  }
  return out;
}

/**
 * A data exception (SQLSTATE class 22) quotes the refused value; so may a
 * message without a SQLSTATE. Other classes quote only identifiers (a
 * constraint, a relation), which are worth keeping.
 */
function maskValues(message: string, code: string | undefined): string {
  if (code !== undefined && !code.startsWith('22')) return message;
  return message
    .replace(/"(?:[^"\\]|\\.)*"/g, '"[redacted]"')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'[redacted]'");
}

// pg and PGlite both raise pg-protocol's DatabaseError: a `severity` and a five-character SQLSTATE.
function isDatabaseError(error: Error): boolean {
  const fields = error as unknown as Record<string, unknown>;
  return (
    (typeof fields.severity === 'string' &&
      typeof fields.code === 'string' &&
      /^[0-9A-Z]{5}$/.test(fields.code)) ||
    'params' in fields
  );
}
