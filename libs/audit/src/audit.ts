import { EntityManager } from 'typeorm';

export interface AuditRecord {
  actorUserId: string | null;
  actorRole: string | null;
  organisationId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  details?: Record<string, unknown>;
}

/**
 * Appends to the audit log inside the caller's transaction, so the record and the change it
 * describes are committed together or not at all.
 */
export async function recordAudit(manager: EntityManager, record: AuditRecord): Promise<void> {
  await manager.query(
    `INSERT INTO audit_events (actor_user_id, actor_role, organisation_id, action, entity_type, entity_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      record.actorUserId,
      record.actorRole,
      record.organisationId,
      record.action,
      record.entityType,
      record.entityId,
      JSON.stringify(record.details ?? {}),
    ],
  );
}
