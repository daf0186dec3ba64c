/** The audit log: recording (inside service transactions) and reading. */
export {
  type Actor,
  auditChange,
  type ChangeContext,
  type NewAudit,
  recordAudit,
} from '../kernel/change.ts';
