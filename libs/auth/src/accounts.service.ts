import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { SEATS, Seat } from '@hns/config';
import { isUniqueViolation } from '@hns/database';
import { Locale } from '@hns/i18n';
import { Organisation, ROLES, Role, User } from './entities';
import { hashPassword, passwordProblem } from './passwords';

export class AccountError extends Error {}

export const organisationInput = z.object({
  name: z.string().trim().min(2).max(200),
  acronym: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.&-]{0,29}$/, 'letters, digits and _ . & - only, at most 30'),
  email: z.email(),
});

export const userInput = z
  .object({
    email: z.email().transform((e) => e.toLowerCase()),
    password: z.string(),
    role: z.enum(ROLES),
    seat: z.enum(SEATS).optional(),
    org: z.string().trim().optional(),
    locale: z.enum(['fr', 'en']).default('fr'),
    displayName: z.string().trim().min(1).max(200).optional(),
  })
  .superRefine((u, ctx) => {
    const problem = passwordProblem(u.password, u.email);
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
    if (u.role === 'ngo' && !u.org)
      ctx.addIssue({ code: 'custom', path: ['org'], message: 'an ngo user needs --org ACRONYM' });
    if (u.role !== 'ngo' && u.org)
      ctx.addIssue({
        code: 'custom',
        path: ['org'],
        message: 'only ngo users belong to an organisation',
      });
    if (u.role === 'cell' && !u.seat)
      ctx.addIssue({
        code: 'custom',
        path: ['seat'],
        message: `a cell user needs --seat (${SEATS.join(', ')})`,
      });
    if (u.role !== 'cell' && u.seat)
      ctx.addIssue({ code: 'custom', path: ['seat'], message: 'only cell users have a seat' });
  });

export type OrganisationInput = z.input<typeof organisationInput>;
export type UserInput = z.input<typeof userInput>;

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new AccountError(
      result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'),
    );
  }
  return result.data;
}

/** Organisations and users, as administrators manage them (CLI, demo seed). */
@Injectable()
export class AccountsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async createOrganisation(input: OrganisationInput): Promise<Organisation> {
    const data = parse(organisationInput, input);
    try {
      return await this.db
        .getRepository(Organisation)
        .save(this.db.getRepository(Organisation).create(data));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AccountError(`acronym: an organisation "${data.acronym}" already exists`);
      }
      throw error;
    }
  }

  async findOrganisation(acronym: string): Promise<Organisation | null> {
    return this.db
      .getRepository(Organisation)
      .createQueryBuilder('o')
      .where('upper(o.acronym) = upper(:acronym)', { acronym })
      .getOne();
  }

  async createUser(input: UserInput): Promise<User> {
    const data = parse(userInput, input);
    let organisationId: string | null = null;
    if (data.org) {
      const organisation = await this.findOrganisation(data.org);
      if (!organisation) throw new AccountError(`org: no organisation with acronym "${data.org}"`);
      organisationId = organisation.id;
    }
    const users = this.db.getRepository(User);
    try {
      const saved = await users.save(
        users.create({
          email: data.email,
          passwordHash: await hashPassword(data.password),
          role: data.role as Role,
          seat: (data.seat ?? null) as Seat | null,
          organisationId,
          locale: data.locale as Locale,
          displayName: data.displayName ?? null,
        }),
      );
      return saved;
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AccountError(`email: a user "${data.email}" already exists`);
      throw error;
    }
  }

  async countUsers(): Promise<number> {
    return this.db.getRepository(User).count();
  }
}
