/**
 * `multipart/form-data` as an import source: `POST /api/v1/imports` with
 * the file as a part named `file` and the request's other fields (`kind`,
 * `format`, `dryRun`, `fileName`, `mappingId`, `mapping`) as text parts,
 * the way a browser form or `curl -F` sends a file. The body is streamed
 * through busboy and counted while it is read: a declared length over the
 * limit is refused before any byte is read, and a file part is cut off at
 * the first chunk past `IMPORT_MAX_BYTES` (413 `import_too_large`), so no
 * more than the limit is ever held. A JSON request goes on to the
 * contract's `imports.create` unchanged; any other body type is 415.
 */
import { Readable } from 'node:stream';
import { operations } from '@clinicbridge/sdk/contract';
import busboy from 'busboy';
import type { Context, Hono } from 'hono';
import type { AppContext } from '../feature.ts';
import { readSection } from '../feature.ts';
import type { AppEnv } from '../http/context.ts';
import { guardDepsOf, guardRequest } from '../http/guard.ts';
import { runWrite } from '../http/operations.ts';
import { validate } from '../http/validate.ts';
import { changeOf, type OperationHandler } from '../kernel/handlers.ts';
import { ApiError } from '../kernel/problem.ts';
import { type ImportsConfig, importsConfig } from './config.ts';
import { type ImportCreateBody, runImportRequest } from './handlers.ts';

/** Room for the text fields and part headers beside the file. */
const FORM_OVERHEAD_BYTES = 65_536;

/** Most characters of one text field (an inline `mapping` is the longest). */
const MAX_FIELD_CHARS = 16_384;

/** Part types each format accepts (browsers send CSV as `application/vnd.ms-excel` on Windows). */
const partTypes: Record<string, readonly string[]> = {
  csv: ['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel'],
  ndjson: ['application/x-ndjson', 'application/jsonl', 'application/json', 'text/plain'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/zip'],
};

/**
 * What a form carries: its text fields, and the file's bytes, name and type.
 *
 * @example
 * const form: ImportForm = { fields: { kind: 'leads', format: 'csv' }, file: { bytes, name: 'leads.csv', type: 'text/csv' } };
 */
export interface ImportForm {
  fields: Record<string, string>;
  file: { bytes: Buffer; name: string | undefined; type: string } | undefined;
}

const tooLarge = (limit: number) =>
  new ApiError(
    'import_too_large',
    `Import files are limited to ${limit} bytes; split the file into several imports.`,
  );

const malformed = (detail: string) =>
  new ApiError('invalid_request', `The multipart/form-data body is refused: ${detail}.`);

/** The body's chunks, refused as soon as their running total passes `limit`. */
async function* boundedBody(request: Request, limit: number, fileLimit: number) {
  if (!request.body) return;
  const reader = request.body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.byteLength;
      if (total > limit) throw tooLarge(fileLimit);
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/**
 * Reads a `multipart/form-data` request: text fields and one `file` part of at most `maxFileBytes`.
 *
 * @example
 * const form = await readImportForm(c.req.raw, 1_000_000);
 */
export function readImportForm(request: Request, maxFileBytes: number): Promise<ImportForm> {
  const limit = maxFileBytes + FORM_OVERHEAD_BYTES;
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return Promise.reject(tooLarge(maxFileBytes));
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: Object.fromEntries(request.headers),
      limits: {
        fields: 12,
        fieldSize: MAX_FIELD_CHARS,
        files: 1,
        parts: 13,
        fileSize: maxFileBytes,
        headerPairs: 20,
      },
    });
  } catch {
    return Promise.reject(malformed('its Content-Type has no boundary'));
  }
  const source = Readable.from(boundedBody(request, limit, maxFileBytes));
  return new Promise<ImportForm>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: ImportForm['file'];
    let failure: ApiError | undefined;
    const fail = (error: ApiError) => {
      failure ??= error;
      source.unpipe(parser);
      source.destroy();
      reject(failure);
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(malformed(`field ${name.slice(0, 40)} is too long`));
      else fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || file !== undefined) {
        stream.resume();
        fail(malformed('send the file as one part named "file"'));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        chunks.push(chunk);
      });
      // busboy stops the part at `fileSize` bytes and says so: the file is over the limit.
      stream.on('limit', () => fail(tooLarge(maxFileBytes)));
      stream.on('end', () => {
        if (failure) return;
        file = {
          bytes: Buffer.concat(chunks, size),
          name: info.filename,
          type: info.mimeType.toLowerCase(),
        };
      });
    });
    for (const event of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) {
      parser.on(event, () => fail(malformed('it has too many parts')));
    }
    parser.on('error', (error: Error) => fail(malformed(error.message.slice(0, 80))));
    source.on('error', (error: unknown) =>
      fail(error instanceof ApiError ? error : malformed('the body could not be read')),
    );
    parser.on('close', () => {
      if (!failure) resolve({ fields, file });
    });
    source.pipe(parser);
  });
}

/**
 * The `imports.create` body a form stands for, validated by the contract's schema.
 *
 * @example
 * const body = formToImportBody(form);
 */
export function formToImportBody(form: ImportForm): ImportCreateBody {
  const { fields, file } = form;
  if (!file) throw new ApiError('validation_failed', 'The form has no part named "file".');
  const format = fields.format;
  const type = file.type.split(';')[0]?.trim() ?? '';
  const accepted = partTypes[format ?? ''];
  if (accepted && type !== 'application/octet-stream' && !accepted.includes(type)) {
    throw new ApiError(
      'import_wrong_type',
      `The file part is ${type.slice(0, 80)}, not a ${format} file; send it with its own format.`,
    );
  }
  if (file.bytes.byteLength === 0) throw new ApiError('validation_failed', 'The file is empty.');
  let mapping: unknown;
  if (fields.mapping !== undefined) {
    try {
      mapping = JSON.parse(fields.mapping);
    } catch {
      throw new ApiError('validation_failed', 'The mapping field must be a JSON object.');
    }
  }
  const dryRun = fields.dryRun === undefined ? undefined : fields.dryRun === 'true';
  const fileName = fields.fileName ?? file.name;
  const raw = {
    kind: fields.kind,
    format,
    // XLSX travels as base64, as inline; CSV and NDJSON as UTF-8 text.
    content: format === 'xlsx' ? file.bytes.toString('base64') : file.bytes.toString('utf8'),
    ...(dryRun !== undefined ? { dryRun } : {}),
    ...(fileName ? { fileName } : {}),
    ...(fields.mappingId !== undefined ? { mappingId: fields.mappingId } : {}),
    ...(mapping !== undefined ? { mapping } : {}),
  };
  return validate(operations.imports.create.body, 'body', raw) as ImportCreateBody;
}

async function answerForm(
  c: Context<AppEnv>,
  context: AppContext,
  limits: ImportsConfig,
): Promise<Response> {
  const auth = await guardRequest(c, guardDepsOf(context), 'write:imports');
  const body = formToImportBody(await readImportForm(c.req.raw, limits.IMPORT_MAX_BYTES));
  const handler: OperationHandler<typeof operations.imports.create> = (ctx) =>
    runImportRequest(ctx.db, ctx.body, limits, {
      storage: context.providers.storage,
      change: changeOf(ctx),
    });
  // As `imports.create` runs a JSON body: the same Idempotency-Key rules, the same fingerprint.
  return runWrite(
    c,
    { db: context.db, now: context.now, eventHint: context.eventHint },
    operations.imports.create,
    handler as unknown as OperationHandler,
    { params: undefined, body, auth, requestId: c.get('requestId') },
    auth,
  );
}

/**
 * Mounts the multipart form of `POST /api/v1/imports`; JSON requests pass on to `imports.create`.
 *
 * @example
 * mountMultipartImports(app, context);
 */
export function mountMultipartImports(app: Hono<AppEnv>, context: AppContext): void {
  const limits = readSection(context.config, importsConfig);
  const template = '/api/v1/imports';
  app.post(template, async (c, next) => {
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    if (!type.startsWith('multipart/')) return next();
    if (!type.startsWith('multipart/form-data')) {
      throw new ApiError(
        'unsupported_media_type',
        'Send the file as multipart/form-data (a part named "file"), or the request as JSON.',
      );
    }
    return answerForm(c, context, limits);
  });
}
