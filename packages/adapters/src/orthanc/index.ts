/**
 * @clinicbridge/adapters/orthanc — the `ImagingArchive` port on Orthanc:
 * studies listed with its DICOMweb plugin (QIDO-RS `GET
 * /dicom-web/studies?PatientID=…`, DICOM JSON), and a study fetched only
 * after Orthanc anonymised it (`POST /tools/lookup` for the study's Orthanc
 * id, `POST /studies/{id}/anonymize`, then `GET /studies/{copy}/archive`),
 * read with a size bound while streaming. HTTP Basic authentication.
 */
import { z } from 'zod';
import { type AdapterOptions, pickAdapterOptions, segment } from '../core/adapter-options.ts';
import { apiKeyAuth } from '../core/auth.ts';
import { createProviderClient } from '../core/client.ts';
import { ProviderError } from '../core/errors.ts';
import {
  ArchivePatientIdSchema,
  DicomUidSchema,
  type ImagingArchive,
  type ImagingStudySummary,
} from '../ports/imaging.ts';
import { parseInput } from '../ports/validate.ts';

/**
 * Orthanc settings.
 *
 * @example
 * const options: OrthancOptions = { baseUrl: 'http://pacs.clinic.lan:8042', username: 'clinicbridge', password: process.env.ORTHANC_PASSWORD! };
 */
export interface OrthancOptions extends AdapterOptions {
  baseUrl: string;
  username?: string;
  password?: string;
  /** Largest anonymised archive downloaded. Default 512 MiB. */
  maxArchiveBytes?: number;
}

const DicomAttribute = z.looseObject({
  vr: z.string().optional(),
  Value: z.array(z.unknown()).optional(),
});
const DicomJson = z.array(z.record(z.string(), DicomAttribute)).max(10_000);
const Lookup = z.array(z.looseObject({ ID: z.string(), Type: z.string() }));
const Anonymized = z.looseObject({ ID: z.string().regex(/^[0-9a-f-]{1,64}$/) });
const Study = z.looseObject({ MainDicomTags: z.looseObject({ StudyInstanceUID: z.string() }) });

const TAG = {
  studyInstanceUid: '0020000D',
  studyDate: '00080020',
  modalities: '00080061',
  accession: '00080050',
  series: '00201206',
  instances: '00201208',
} as const;

function values(record: Record<string, z.infer<typeof DicomAttribute>>, tag: string): unknown[] {
  return record[tag]?.Value ?? [];
}

function toSummary(
  record: Record<string, z.infer<typeof DicomAttribute>>,
): ImagingStudySummary | undefined {
  const uid = values(record, TAG.studyInstanceUid)[0];
  if (typeof uid !== 'string' || !DicomUidSchema.safeParse(uid).success) return undefined;
  const date = values(record, TAG.studyDate)[0];
  const count = (tag: string) => {
    const n = Number(values(record, tag)[0]);
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  };
  const accession = values(record, TAG.accession)[0];
  return {
    studyInstanceUid: uid,
    studyDate:
      typeof date === 'string' && /^\d{8}$/.test(date)
        ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`
        : undefined,
    modalities: values(record, TAG.modalities)
      .filter((m): m is string => typeof m === 'string')
      .slice(0, 20),
    ...(typeof accession === 'string' ? { accessionNumber: accession.slice(0, 16) } : {}),
    seriesCount: count(TAG.series),
    instanceCount: count(TAG.instances),
  };
}

/**
 * Creates the Orthanc archive adapter.
 *
 * @example
 * const pacs = createOrthancArchive({ baseUrl: 'http://127.0.0.1:8042', username: 'orthanc', password: 'orthanc' });
 * const studies = await pacs.listStudies({ patientId: 'MRN-42' });
 */
export function createOrthancArchive(options: OrthancOptions): ImagingArchive {
  const provider = 'orthanc';
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const maxBytes = options.maxArchiveBytes ?? 512 * 1024 * 1024;
  const basic =
    options.username !== undefined
      ? `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`, 'utf8').toString('base64')}`
      : undefined;
  const auth = basic ? apiKeyAuth({ header: 'authorization', value: basic }) : undefined;
  const client = createProviderClient({
    provider,
    baseUrl,
    ...(auth ? { auth } : {}),
    ...pickAdapterOptions(options),
  });
  const fail = (
    operation: string,
    code: 'not_found' | 'rejected' | 'provider_unavailable',
    message: string,
  ) => new ProviderError({ code, provider, operation, message });

  async function download(
    studyId: string,
    limit: number,
    operation: string,
  ): Promise<{ bytes: Uint8Array; contentType: string }> {
    // The core client buffers bodies as text; an archive is binary and large, so it is streamed here.
    const doFetch = options.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}/studies/${segment(studyId)}/archive`, {
        headers: { accept: 'application/zip', ...(basic ? { authorization: basic } : {}) },
        signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
      });
    } catch {
      throw fail(
        operation,
        'provider_unavailable',
        'The archive did not deliver the anonymised study; retry later.',
      );
    }
    if (!response.ok || !response.body) {
      throw fail(
        operation,
        response.status === 404 ? 'not_found' : 'provider_unavailable',
        'The archive refused the download of the anonymised study.',
      );
    }
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > limit) {
      await response.body.cancel();
      throw fail(operation, 'rejected', `The anonymised study is larger than ${limit} bytes.`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw fail(operation, 'rejected', `The anonymised study is larger than ${limit} bytes.`);
      }
      chunks.push(value);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    return { bytes, contentType: response.headers.get('content-type') ?? 'application/zip' };
  }

  return {
    provider,

    async listStudies(raw) {
      const { patientId } = parseInput(
        z.strictObject({ patientId: ArchivePatientIdSchema }),
        raw,
        provider,
        'imaging.studies',
      );
      const records = await client.json({
        operation: 'imaging.studies',
        path: 'dicom-web/studies',
        searchParams: {
          PatientID: patientId,
          includefield: '00080061,00201206,00201208',
          limit: 1000,
        },
        headers: { accept: 'application/dicom+json' },
        schema: DicomJson,
      });
      return records.flatMap((record) => toSummary(record) ?? []);
    },

    async fetchAnonymizedStudy(raw) {
      const input = parseInput(
        z.strictObject({
          studyInstanceUid: DicomUidSchema,
          maxBytes: z.number().int().positive().optional(),
        }),
        raw,
        provider,
        'imaging.anonymize',
      );
      const found = await client.json({
        operation: 'imaging.lookup',
        method: 'post',
        path: 'tools/lookup',
        // Orthanc takes the bare identifier as the body of /tools/lookup.
        text: input.studyInstanceUid,
        headers: { 'content-type': 'text/plain' },
        readOnly: true,
        schema: Lookup,
      });
      const study = found.find((f) => f.Type === 'Study');
      if (!study)
        throw fail('imaging.anonymize', 'not_found', 'The archive has no study with this UID.');
      const copy = await client.json({
        operation: 'imaging.anonymize',
        method: 'post',
        path: `studies/${segment(study.ID)}/anonymize`,
        json: { Force: true, KeepPrivateTags: false, Synchronous: true },
        schema: Anonymized,
        timeoutMs: options.timeoutMs ?? 120_000,
      });
      const details = await client.json({
        operation: 'imaging.study',
        path: `studies/${segment(copy.ID)}`,
        schema: Study,
      });
      const { bytes, contentType } = await download(
        copy.ID,
        Math.min(input.maxBytes ?? maxBytes, maxBytes),
        'imaging.archive',
      );
      return {
        archiveStudyId: copy.ID,
        anonymizedStudyInstanceUid: details.MainDicomTags.StudyInstanceUID,
        archive: bytes,
        contentType,
      };
    },
  };
}
