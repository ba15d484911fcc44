import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Seat } from '@hns/config';
import type { Locale } from '@hns/i18n';

export const ROLES = ['ngo', 'cell', 'admin'] as const;
export type Role = (typeof ROLES)[number];

@Entity({ name: 'organisations' })
export class Organisation {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') acronym!: string;
  @Column('text') email!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity({ name: 'users' })
export class User {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') email!: string;
  @Column('text', { name: 'password_hash', select: false }) passwordHash!: string;
  @Column('text') role!: Role;
  @Column('text', { nullable: true }) seat!: Seat | null;
  @Column('uuid', { name: 'organisation_id', nullable: true }) organisationId!: string | null;
  @Column('text') locale!: Locale;
  @Column('text', { name: 'display_name', nullable: true }) displayName!: string | null;
  @Column('timestamptz', { name: 'disabled_at', nullable: true }) disabledAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}

/** Who is acting, as every service sees it: from the access token, checked against the database. */
export interface Actor {
  userId: string;
  email: string;
  role: Role;
  seat: Seat | null;
  organisationId: string | null;
  locale: Locale;
  /** The sign-in session of the access token (sign-out revokes it); absent outside requests. */
  sessionId?: string;
}

export function actorOf(user: User): Actor {
  return {
    userId: user.id,
    email: user.email,
    role: user.role,
    seat: user.seat,
    organisationId: user.organisationId,
    locale: user.locale,
  };
}
