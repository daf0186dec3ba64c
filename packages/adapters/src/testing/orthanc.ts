/**
 * A fake Orthanc with its DICOMweb plugin: QIDO-RS study search by
 * PatientID (DICOM JSON), `/tools/lookup`, `/studies/{id}/anonymize`
 * (a new study with new UIDs and the patient's name and id replaced),
 * `/studies/{id}` and `/studies/{id}/archive`. Each study's "archive" is
 * bytes that carry its patient name, so a test can prove what left the
 * archive was anonymised; `downloads` records which studies were fetched.
 */
import { HttpResponse, http } from 'msw';

/**
 * Base URL the fake answers on.
 *
 * @example
 * createOrthancArchive({ baseUrl: ORTHANC_API, username: 'orthanc', password: 'orthanc' });
 */
export const ORTHANC_API = 'http://orthanc.example.test:8042';

/**
 * A study held by the fake.
 *
 * @example
 * orthanc.addStudy({ patientId: 'MRN-42', patientName: 'Yılmaz^Ayşe', studyDate: '20261201', modalities: ['CT'] });
 */
export interface FakeOrthancStudy {
  id: string;
  studyInstanceUid: string;
  patientId: string;
  patientName: string;
  studyDate: string;
  modalities: string[];
  accessionNumber: string;
  instances: number;
  anonymizedFrom?: string;
}

/**
 * State of the fake Orthanc.
 *
 * @example
 * const orthanc = new FakeOrthanc();
 * orthanc.addStudy({ patientId: 'MRN-42', patientName: 'Doe^Jane' });
 * server.use(...orthanc.handlers());
 */
export class FakeOrthanc {
  readonly baseUrl: string;
  readonly username = 'orthanc';
  readonly password = 'orthanc-secret';
  readonly studies = new Map<string, FakeOrthancStudy>();
  /** Orthanc ids of the studies whose archive was downloaded. */
  readonly downloads: string[] = [];
  private seq = 0;

  constructor(baseUrl = ORTHANC_API) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** Adds a study (ids and UIDs generated when absent). */
  addStudy(
    study: Partial<FakeOrthancStudy> & { patientId: string; patientName: string },
  ): FakeOrthancStudy {
    this.seq += 1;
    const stored: FakeOrthancStudy = {
      id: `${String(this.seq).padStart(8, '0')}-5e7a4b1c-9d2e0f00-aa11bb22-cc33dd44`,
      studyInstanceUid: `1.2.826.0.1.3680043.8.498.${1000 + this.seq}`,
      studyDate: '20261201',
      modalities: ['CT'],
      accessionNumber: `ACC${this.seq}`,
      instances: 120,
      ...study,
    };
    this.studies.set(stored.id, stored);
    return stored;
  }

  /** The archive bytes of a study: a stand-in for a ZIP of its DICOM files. */
  archiveOf(study: FakeOrthancStudy): Uint8Array {
    return new TextEncoder().encode(
      `PK\u0003\u0004 DICM StudyInstanceUID=${study.studyInstanceUid} PatientID=${study.patientId} PatientName=${study.patientName} ${'.'.repeat(study.instances)}`,
    );
  }

  private authorized(request: Request): boolean {
    const expected = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    return request.headers.get('authorization') === expected;
  }

  /** MSW handlers for the fake. */
  handlers() {
    const base = this.baseUrl;
    const guard =
      (run: (request: Request, params: Record<string, string>) => Response | Promise<Response>) =>
      ({ request, params }: { request: Request; params: Record<string, unknown> }) =>
        this.authorized(request)
          ? run(request, Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])))
          : new HttpResponse('Unauthorized', { status: 401 });
    const study = (id: string) => this.studies.get(id);
    return [
      http.get(
        `${base}/dicom-web/studies`,
        guard((request) => {
          const patientId = new URL(request.url).searchParams.get('PatientID');
          const found = [...this.studies.values()].filter(
            (s) => patientId === null || s.patientId === patientId,
          );
          return HttpResponse.json(
            found.map((s) => ({
              '0020000D': { vr: 'UI', Value: [s.studyInstanceUid] },
              '00080020': { vr: 'DA', Value: [s.studyDate] },
              '00080061': { vr: 'CS', Value: s.modalities },
              '00080050': { vr: 'SH', Value: [s.accessionNumber] },
              '00100020': { vr: 'LO', Value: [s.patientId] },
              '00100010': { vr: 'PN', Value: [{ Alphabetic: s.patientName }] },
              '00201206': { vr: 'IS', Value: [1] },
              '00201208': { vr: 'IS', Value: [s.instances] },
            })),
            { headers: { 'content-type': 'application/dicom+json' } },
          );
        }),
      ),
      http.post(
        `${base}/tools/lookup`,
        guard(async (request) => {
          const uid = (await request.text()).trim();
          const found = [...this.studies.values()].filter((s) => s.studyInstanceUid === uid);
          return HttpResponse.json(
            found.map((s) => ({ ID: s.id, Path: `/studies/${s.id}`, Type: 'Study' })),
          );
        }),
      ),
      http.post(
        `${base}/studies/:id/anonymize`,
        guard((_request, { id }) => {
          const original = study(id ?? '');
          if (!original) return HttpResponse.json({ Message: 'Unknown resource' }, { status: 404 });
          const copy = this.addStudy({
            patientId: `ANON${this.seq + 1}`,
            patientName: 'Anonymized',
            studyDate: original.studyDate,
            modalities: original.modalities,
            instances: original.instances,
            accessionNumber: '',
            anonymizedFrom: original.id,
          });
          return HttpResponse.json({
            ID: copy.id,
            Path: `/studies/${copy.id}`,
            PatientID: copy.patientId,
            Type: 'Study',
          });
        }),
      ),
      http.get(
        `${base}/studies/:id/archive`,
        guard((_request, { id }) => {
          const found = study(id ?? '');
          if (!found) return HttpResponse.json({ Message: 'Unknown resource' }, { status: 404 });
          this.downloads.push(found.id);
          const bytes = this.archiveOf(found);
          return new HttpResponse(bytes, {
            headers: {
              'content-type': 'application/zip',
              'content-length': String(bytes.byteLength),
            },
          });
        }),
      ),
      http.get(
        `${base}/studies/:id`,
        guard((_request, { id }) => {
          const found = study(id ?? '');
          if (!found) return HttpResponse.json({ Message: 'Unknown resource' }, { status: 404 });
          return HttpResponse.json({
            ID: found.id,
            Type: 'Study',
            MainDicomTags: { StudyInstanceUID: found.studyInstanceUid, StudyDate: found.studyDate },
            PatientMainDicomTags: { PatientID: found.patientId, PatientName: found.patientName },
          });
        }),
      ),
    ];
  }
}
