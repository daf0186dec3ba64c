/**
 * JSON logs (pino) with PII and secrets redacted by path: credentials,
 * patient contact fields and anything that looks like a body never reach
 * the log in clear. Errors (`err`, `error`) go through
 * {@link serializeError}, so a database error never logs the parameters or
 * values of the statement that failed.
 */
import { type Logger, pino } from 'pino';
import { serializeError } from './error-serializer.ts';

/**
 * Paths pino replaces with `[redacted]`.
 *
 * @example
 * pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'apiKey',
  'clientSecret',
  'client_secret',
  'password',
  'secret',
  '*.apiKey',
  '*.clientSecret',
  '*.secret',
  '*.password',
  '*.givenName',
  '*.familyName',
  '*.email',
  '*.phone',
  '*.birthDate',
  'givenName',
  'familyName',
  'email',
  'phone',
  'birthDate',
  'body',
  '*.body',
  'databaseUrl',
];

/**
 * Creates the server's logger.
 *
 * @example
 * const log = createLogger('info');
 * log.info({ requestId }, 'request');
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'clinicbridge-server' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination as never) : pino(options);
}

/**
 * The stream the server logs to by default (stdout, written asynchronously).
 * Text that must appear after the log lines already written, such as the
 * start banner, goes through the same stream to keep its place.
 *
 * @example
 * const stdout = stdoutStream();
 * const log = createLogger('info', stdout);
 * log.info('server started');
 * stdout.write('banner\n'); // after "server started"
 */
export function stdoutStream(): NodeJS.WritableStream {
  return pino.destination({ dest: 1 }) as unknown as NodeJS.WritableStream;
}

export type { Logger };
