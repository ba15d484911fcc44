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

/**
 * recordAudit for many records in one statement and one parameter, whatever their number (the
 * consequences of a zone re-check batch); in the caller's transaction, in the order given.
 */
export async function recordAudits(manager: EntityManager, records: AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await manager.query(
    `INSERT INTO audit_events (actor_user_id, actor_role, organisation_id, action, entity_type, entity_id, details)
     SELECT r.actor_user_id, r.actor_role, r.organisation_id, r.action, r.entity_type, r.entity_id, r.details
     FROM jsonb_to_recordset($1::jsonb) AS r(
       actor_user_id uuid, actor_role text, organisation_id uuid, action text, entity_type text,
       entity_id text, details jsonb)`,
    [
      JSON.stringify(
        records.map((record) => ({
          actor_user_id: record.actorUserId,
          actor_role: record.actorRole,
          organisation_id: record.organisationId,
          action: record.action,
          entity_type: record.entityType,
          entity_id: record.entityId,
          details: record.details ?? {},
        })),
      ),
    ],
  );
}
