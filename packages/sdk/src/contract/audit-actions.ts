/**
 * The audit action each write operation records (`<entity>.<past-tense
 * verb>`), defined once so the server and the fake API write the same
 * actions and a partner reading the audit log can rely on them.
 */

/**
 * Audit action by operation id, for every write of the contract.
 *
 * @example
 * auditActions['appointments.cancel']; // 'appointment.cancelled'
 */
export const auditActions = {
  'integrationTokens.create': 'integration_token.created',
  'integrationTokens.revoke': 'integration_token.revoked',
  'oauthClients.revoke': 'oauth_client.revoked',
  'oauthClients.rotateSecret': 'oauth_client.secret_rotated',
  'patients.create': 'patient.created',
  'patients.update': 'patient.updated',
  'patientDevices.register': 'patient_device.registered',
  'patientDevices.delete': 'patient_device.deleted',
  'appointments.create': 'appointment.created',
  'appointments.update': 'appointment.updated',
  'appointments.cancel': 'appointment.cancelled',
  'appointments.reschedule': 'appointment.rescheduled',
  'appointments.complete': 'appointment.completed',
  'availability.book': 'appointment.created',
  'visits.create': 'visit.opened',
  'visits.complete': 'visit.completed',
  'invoices.create': 'invoice.created',
  'invoices.queueEInvoice': 'e_invoice.queued',
  'payments.create': 'payment.received',
  'refunds.create': 'refund.issued',
  'escrows.create': 'escrow.held',
  'escrows.release': 'escrow.released',
  'escrows.dispute': 'escrow.disputed',
  'escrows.void': 'escrow.voided',
  'escrows.refund': 'refund.issued',
  'checkouts.create': 'checkout.created',
  'checkouts.refund': 'checkout.refund_requested',
  'subscriptions.create': 'subscription.created',
  'subscriptions.changePlan': 'subscription.plan_changed',
  'subscriptions.cancel': 'subscription.cancel_requested',
  'claims.create': 'claim.created',
  'claims.preauthorize': 'claim.preauthorization_requested',
  'claims.submit': 'claim.submission_requested',
  'claims.resubmit': 'claim.resubmission_requested',
  'claims.withdraw': 'claim.withdrawn',
  'claims.redeliver': 'claim.events_redelivered',
  'visas.create': 'visa_application.created',
  'visas.cancel': 'visa_application.cancelled',
  'documents.presign': 'document.upload_link_issued',
  'documents.complete': 'document.uploaded',
  'documents.registerReference': 'document.reference_registered',
  'shipments.create': 'shipment.created',
  'teleRooms.create': 'tele_room.created',
  'teleRooms.join': 'tele_room.join_link_issued',
  'teleRooms.complete': 'tele_room.ended',
  'webhookEndpoints.create': 'webhook_endpoint.created',
  'webhookEndpoints.update': 'webhook_endpoint.updated',
  'webhookEndpoints.delete': 'webhook_endpoint.deleted',
  'webhookEndpoints.rotateSecret': 'webhook_endpoint.secret_rotated',
  'webhookEndpoints.test': 'webhook_endpoint.tested',
  'webhookEndpoints.replay': 'webhook_endpoint.replayed',
  'deliveries.retry': 'delivery.retried',
  'deadLetters.replay': 'dead_letter.replayed',
  'imports.create': 'import.created',
  'exports.create': 'export.created',
  'integrations.create': 'integration.created',
  'integrations.update': 'integration.updated',
  'integrations.pause': 'integration.paused',
  'integrations.deprecate': 'integration.deprecated',
  'integrations.resume': 'integration.resumed',
  'integrations.link': 'integration.linked',
  'integrations.unlink': 'integration.unlinked',
  'reconciliationRuns.create': 'reconciliation_run.completed',
  'reconciliationBreaks.resolve': 'reconciliation_break.resolved',
  'installmentPlans.create': 'installment_plan.created',
  'importMappings.create': 'import_mapping.saved',
  'importMappings.delete': 'import_mapping.deleted',
  'leads.setMarketingConsent': 'lead.marketing_consent_changed',
} as const satisfies Record<string, `${string}.${string}`>;

/** @example const action: AuditAction = 'patient.created'; */
export type AuditAction = (typeof auditActions)[keyof typeof auditActions];
