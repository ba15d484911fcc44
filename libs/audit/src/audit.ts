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
  await recordAudits(manager, [record]);
}

/**
 * recordAudit for many records in one statement whatever their number (a batch of review
 * fan-outs, the consequences of a zone re-check batch), in the order given.
 */
export async function recordAudits(manager: EntityManager, records: AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  const column = <T>(pick: (record: AuditRecord) => T) => records.map(pick);
  await manager.query(
    `INSERT INTO audit_events (actor_user_id, actor_role, organisation_id, action, entity_type, entity_id, details)
     SELECT actor_user_id, actor_role, organisation_id, action, entity_type, entity_id, details
     FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
       WITH ORDINALITY AS r(actor_user_id, actor_role, organisation_id, action, entity_type, entity_id, details, n)
     ORDER BY n`,
    [
      column((r) => r.actorUserId),
      column((r) => r.actorRole),
      column((r) => r.organisationId),
      column((r) => r.action),
      column((r) => r.entityType),
      column((r) => r.entityId),
      column((r) => JSON.stringify(r.details ?? {})),
    ],
  );
}
