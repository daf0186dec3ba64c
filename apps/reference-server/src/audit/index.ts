/** The audit log: recording (inside service transactions) and reading. */
export { type Actor, type NewAudit, recordAudit } from './record.ts';
