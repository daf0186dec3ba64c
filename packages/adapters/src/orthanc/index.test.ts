/** Orthanc adapter against the fake Orthanc: the ImagingArchive conformance suite. */
import { describeImagingArchiveConformance } from '../ports/__fixtures__/imaging-archive.case.ts';
import { FakeOrthanc } from '../testing/orthanc.ts';
import { createOrthancArchive } from './index.ts';

describeImagingArchiveConformance({
  name: 'orthanc',
  setup() {
    const fake = new FakeOrthanc();
    const archive = createOrthancArchive({
      baseUrl: fake.baseUrl,
      username: fake.username,
      password: fake.password,
      policies: { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
    });
    return {
      archive,
      handlers: fake.handlers(),
      addStudy: (patientId, patientName, modalities) =>
        fake.addStudy({ patientId, patientName, modalities }).studyInstanceUid,
      downloadedUids: () =>
        fake.downloads.map((id) => fake.studies.get(id)?.studyInstanceUid ?? id),
    };
  },
});
