/**
 * The `ImagingArchive` port: a clinic's DICOM archive (PACS) as the
 * platform uses it — list a patient's studies (QIDO-RS), and fetch a study
 * only as an anonymised copy, made by the archive itself, before any use
 * outside care (AI second opinions, research). The port offers no way to
 * fetch identifiable pixels; study lists carry no patient names.
 */
import { z } from 'zod';

/**
 * A DICOM UID (dotted digits, at most 64 characters).
 *
 * @example
 * DicomUidSchema.parse('1.2.840.113619.2.55.3');
 */
export const DicomUidSchema = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/)
  .max(64);

/**
 * A patient id as the archive knows it (DICOM PatientID, LO: up to 64 characters).
 *
 * @example
 * ArchivePatientIdSchema.parse('MRN-42');
 */
export const ArchivePatientIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9\-_.^/]{1,64}$/, 'DICOM patient id');

/**
 * One study of a patient.
 *
 * @example
 * const study: ImagingStudySummary = { studyInstanceUid: '1.2.3', studyDate: '2026-12-01', modalities: ['CT'], seriesCount: 3, instanceCount: 240 };
 */
export interface ImagingStudySummary {
  studyInstanceUid: string;
  /** ISO date (`2026-12-01`), when the archive has it. */
  studyDate: string | undefined;
  modalities: string[];
  accessionNumber?: string | undefined;
  seriesCount: number | undefined;
  instanceCount: number | undefined;
}

/**
 * An anonymised copy of a study: its new UID and the archive's bytes (a ZIP of DICOM files).
 *
 * @example
 * const { anonymizedStudyInstanceUid, archive } = await pacs.fetchAnonymizedStudy({ studyInstanceUid });
 */
export interface AnonymizedStudy {
  /** The copy's id in the archive. */
  archiveStudyId: string;
  anonymizedStudyInstanceUid: string;
  archive: Uint8Array;
  contentType: string;
}

/**
 * A DICOM archive.
 *
 * @example
 * const studies = await pacs.listStudies({ patientId: 'MRN-42' });
 * const copy = await pacs.fetchAnonymizedStudy({ studyInstanceUid: studies[0]!.studyInstanceUid });
 */
export interface ImagingArchive {
  readonly provider: string;
  listStudies(input: { patientId: string }): Promise<ImagingStudySummary[]>;
  /** Anonymises the study in the archive, then downloads the copy (never the original). */
  fetchAnonymizedStudy(input: {
    studyInstanceUid: string;
    maxBytes?: number;
  }): Promise<AnonymizedStudy>;
}
