/**
 * What each scope grants, in words, for the OAuth security scheme of
 * `/openapi.json` (a generated client or the /docs viewer lists them). The
 * `Record<Scope, …>` type makes a scope added to the contract without a
 * description a compile error.
 */
import type { Scope } from '@clinicbridge/sdk/contract';

/**
 * One sentence per scope.
 *
 * @example
 * scopeDescriptions['read:patients:pii']; // 'Read patients with names, …'
 */
export const scopeDescriptions: Readonly<Record<Scope, string>> = {
  'read:patients':
    'Read patients: id, reference, language, country and consent; no names or contact details.',
  'read:patients:pii':
    'Read patients with names, birth date, email and phone (implies read:patients).',
  'write:patients': 'Register and update patients.',
  'read:appointments': 'Read appointments.',
  'write:appointments': 'Book, reschedule, cancel and complete appointments.',
  'read:visits': 'Read visits.',
  'write:visits': 'Open and complete visits.',
  'read:encounters': 'Read encounters (recorded from the HL7 feed).',
  'read:catalogue': 'Read practitioners, services and their prices, and free slots.',
  'read:invoices': 'Read invoices.',
  'write:invoices': 'Issue invoices.',
  'read:payments': 'Read payments, refunds and escrows.',
  'write:payments': 'Record payments, refund them and act on escrows.',
  'read:claims': 'Read insurance claims.',
  'write:claims': 'Create, withdraw and re-deliver insurance claims.',
  'read:visas': 'Read visa applications.',
  'write:visas': 'Apply for and cancel visa applications.',
  'read:tele': 'Read telemedicine rooms.',
  'write:tele': 'Open telemedicine rooms, issue join links and end sessions.',
  'read:documents': 'Read patient documents and issue short-lived download links.',
  'write:documents':
    'Ask for document upload links, confirm uploads and register device references.',
  'read:shipments': 'Read shipments of medication and documents.',
  'write:shipments': 'Dispatch medication and documents for a case.',
  'read:webhooks': 'Read webhook endpoints.',
  'write:webhooks':
    'Register, change, test and delete webhook endpoints; rotate their secrets; replay events.',
  'read:events': 'Read the event log.',
  'read:imports': 'Read import jobs and their row errors.',
  'write:imports':
    'Import patients, appointments, pricing, capacity, leads or settlement lines from CSV, NDJSON or XLSX.',
  'read:exports': 'Read export jobs.',
  'write:exports': 'Start exports.',
  'read:audit': 'Read the append-only audit log.',
  'read:integrations': 'Read the integrations registry.',
  'admin:integrations': 'Change the integrations registry (manager role).',
  'admin:tokens':
    "Create and revoke integration tokens and OAuth clients, granting at most the holder's own scopes (manager role).",
};
