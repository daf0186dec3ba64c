/**
 * Writes the OpenAPI document generated from the contract to a file:
 * `node scripts/write-openapi.ts openapi/released/v1.json` refreshes the
 * committed baseline of the last release (docs/versioning.md).
 */
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../src/openapi/document.ts';

const target = process.argv[2];
if (!target) {
  console.error('usage: node scripts/write-openapi.ts <file>');
  process.exit(2);
}
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target}`);
