/**
 * The conformance suite every `ImagingArchive` must pass against its fake
 * archive: a patient's studies listed without names, a study fetched only
 * as an anonymised copy (the original never leaves), size bounds, unknown
 * studies, and input refused before any call.
 */
import type { RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { ImagingArchive } from '../imaging.ts';
import { rejection } from './rejection.ts';

export interface ImagingHarness {
  name: string;
  setup(): {
    archive: ImagingArchive;
    handlers: RequestHandler[];
    /** Adds a study for a patient; returns its UID. */
    addStudy(patientId: string, patientName: string, modalities: string[]): string;
    /** UIDs of the studies whose bytes left the archive. */
    downloadedUids(): string[];
  };
}

export function describeImagingArchiveConformance(harness: ImagingHarness): void {
  describe(`ImagingArchive conformance: ${harness.name}`, () => {
    const server = setupServer();
    beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
    afterEach(() => server.resetHandlers());
    afterAll(() => server.close());
    const start = () => {
      const env = harness.setup();
      server.use(...env.handlers);
      return env;
    };

    test("a patient's studies are listed with dates, modalities and counts, without names", async () => {
      const env = start();
      const ct = env.addStudy('MRN-42', 'Yılmaz^Ayşe', ['CT', 'SR']);
      env.addStudy('MRN-99', 'Other^Patient', ['MR']);
      const studies = await env.archive.listStudies({ patientId: 'MRN-42' });
      expect(studies).toEqual([
        expect.objectContaining({
          studyInstanceUid: ct,
          studyDate: '2026-12-01',
          modalities: ['CT', 'SR'],
        }),
      ]);
      expect(JSON.stringify(studies)).not.toMatch(/Yılmaz|Ayşe/);
    });

    test('a study leaves only as an anonymised copy with a new UID', async () => {
      const env = start();
      const uid = env.addStudy('MRN-42', 'Yılmaz^Ayşe', ['CT']);
      const copy = await env.archive.fetchAnonymizedStudy({ studyInstanceUid: uid });
      expect(copy.anonymizedStudyInstanceUid).not.toBe(uid);
      const text = new TextDecoder().decode(copy.archive);
      expect(text).not.toMatch(/Yılmaz|Ayşe|MRN-42/);
      expect(env.downloadedUids()).toEqual([copy.anonymizedStudyInstanceUid]);
    });

    test('bounds, unknown studies and bad input', async () => {
      const env = start();
      const uid = env.addStudy('MRN-42', 'Doe^Jane', ['CT']);
      expect(
        (await rejection(env.archive.fetchAnonymizedStudy({ studyInstanceUid: uid, maxBytes: 10 })))
          .code,
      ).toBe('rejected');
      expect(
        (await rejection(env.archive.fetchAnonymizedStudy({ studyInstanceUid: '1.2.3.999' }))).code,
      ).toBe('not_found');
      expect((await rejection(env.archive.listStudies({ patientId: 'x*' }))).code).toBe(
        'invalid_request',
      );
      expect(
        (await rejection(env.archive.fetchAnonymizedStudy({ studyInstanceUid: '../x' }))).code,
      ).toBe('invalid_request');
    });
  });
}
