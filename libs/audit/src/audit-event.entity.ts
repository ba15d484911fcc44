import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One line of the append-only record: who did what to which thing, and when. */
@Entity({ name: 'audit_events' })
export class AuditEvent {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id!: string;
  @Column('timestamptz', { name: 'occurred_at', default: () => 'now()' }) occurredAt!: Date;
  @Column('uuid', { name: 'actor_user_id', nullable: true }) actorUserId!: string | null;
  @Column('text', { name: 'actor_role', nullable: true }) actorRole!: string | null;
  @Column('uuid', { name: 'organisation_id', nullable: true }) organisationId!: string | null;
  @Column('text') action!: string;
  @Column('text', { name: 'entity_type' }) entityType!: string;
  @Column('text', { name: 'entity_id' }) entityId!: string;
  @Column('jsonb') details!: Record<string, unknown>;
  /** SHA-256 of the canonical content, set by the database on insert (see chain-sql.ts). */
  @Column({ type: 'bytea', name: 'content_hash', nullable: true, insert: false, update: false })
  contentHash!: Buffer | null;
}
