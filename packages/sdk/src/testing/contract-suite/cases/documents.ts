/**
 * Contract cases for documents: a presign answers a PUT link for the
 * declared type and a `pending` document; a type not accepted is 415
 * `document_wrong_type` and a size past the limit 413 `document_too_large`;
 * completing before any upload and a download link for a file never
 * uploaded are 409; a device's reference is registered with its metadata
 * and no bytes; documents are isolated by tenant.
 */
import { expect } from 'vitest';
import { documentMaxBytes } from '../../../contract/index.ts';
import { expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

/**
 * Cases for documents.
 *
 * @example
 * for (const c of documentCases) console.log(c.name, c.uses);
 */
export const documentCases: ContractCase[] = [
  {
    name: 'documents: presign with limits, completion only after an upload, device references, isolation',
    uses: [
      'documents.presign',
      'documents.complete',
      'documents.downloadLink',
      'documents.registerReference',
      'documents.get',
    ],
    async run({ client, clientFor, target }) {
      const { document, upload } = await client.documents.presign({
        caseId: 'case_contract_1',
        fileName: 'scan.pdf',
        contentType: 'application/pdf',
        size: 1_000,
      });
      expect(document).toMatchObject({
        caseId: 'case_contract_1',
        fileName: 'scan.pdf',
        status: 'pending',
        source: 'upload',
        size: 1_000,
      });
      expect(upload.method).toBe('PUT');
      expect(upload.headers['content-type']).toBe('application/pdf');
      const lifetime = Date.parse(upload.expiresAt) - Date.parse(document.createdAt);
      expect(lifetime).toBeGreaterThan(0);
      expect(lifetime).toBeLessThanOrEqual(900_000);
      expect(Date.parse(document.expiresAt) - Date.parse(document.createdAt)).toBe(
        180 * 86_400_000,
      );
      expect((await client.documents.get({ documentId: document.id })).id).toBe(document.id);

      await expectProblem(
        client.documents.presign({
          caseId: 'case_contract_1',
          fileName: 'run.exe',
          contentType: 'application/x-msdownload',
          size: 10,
        }),
        415,
        'document_wrong_type',
      );
      await expectProblem(
        client.documents.presign({
          caseId: 'case_contract_1',
          fileName: 'huge.pdf',
          contentType: 'application/pdf',
          size: documentMaxBytes + 1,
        }),
        413,
        'document_too_large',
      );
      await expectProblem(
        client.documents.complete({ documentId: document.id }, {}),
        409,
        'invalid_state_transition',
      );
      await expectProblem(
        client.documents.downloadLink({ documentId: document.id }),
        409,
        'invalid_state_transition',
      );

      const reference = await client.documents.registerReference({
        caseId: 'case_contract_1',
        fileName: 'ct-chest',
        reference: '1.2.840.113619.2.55.3',
        contentType: 'application/dicom',
        metadata: { modality: 'CT' },
      });
      expect(reference).toMatchObject({
        status: 'reference',
        source: 'device',
        reference: '1.2.840.113619.2.55.3',
        metadata: { modality: 'CT' },
        size: 0,
      });

      const other = clientFor(target.otherTenantApiKey);
      await expectProblem(other.documents.get({ documentId: document.id }), 404, 'not_found');
    },
  },
];
