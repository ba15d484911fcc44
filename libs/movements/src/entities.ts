import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { MovementStatus, NotificationData } from './notification.schema';

@Entity({ name: 'movement_notifications' })
export class MovementNotification {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') reference!: string;
  @Column('uuid', { name: 'organisation_id' }) organisationId!: string;
  @Column('text') status!: MovementStatus;
  @Column('integer', { name: 'current_version' }) currentVersion!: number;
  @Column('text') type!: string;
  @Column('text') priority!: string;
  @Column('text', { name: 'departure_place' }) departurePlace!: string;
  @Column('text', { name: 'arrival_place' }) arrivalPlace!: string;
  @Column('timestamptz', { name: 'departure_at' }) departureAt!: Date;
  @Column('timestamptz', { name: 'arrival_at' }) arrivalAt!: Date;
  @Column('text', { name: 'cancellation_reason', nullable: true }) cancellationReason!:
    string | null;
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}

/** One version of a notification; an amendment adds a version, earlier ones stay readable. */
@Entity({ name: 'movement_versions' })
export class MovementVersion {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'movement_id' }) movementId!: string;
  @Column('integer') version!: number;
  @Column('jsonb') notification!: NotificationData;
  @Column('timestamptz', { name: 'departure_at' }) departureAt!: Date;
  @Column('timestamptz', { name: 'arrival_at' }) arrivalAt!: Date;
  @Column('text', { name: 'change_note', nullable: true }) changeNote!: string | null;
  @Column('uuid', { name: 'created_by' }) createdBy!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
