import { HttpException, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { recordAudit } from '@hns/audit';
import type { Actor } from '@hns/auth';
import { FieldProblem, ValidationFailedException, toProblem } from '@hns/http';
import { MovementsService, notificationSchema } from '@hns/movements';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { exportsText } from '../messages';
import { noticeFromRow } from './notice-columns';
import { UploadedRow, readUpload } from './csv-table';

export const IMPORT_PATH = '/imports/movements';

/** What became of one row: the movement created, or why nothing was written. */
export type RowOutcome =
  | { row: number; id: string; reference: string; replayed: boolean }
  | { row: number; failure: HttpException };

/**
 * Bulk import of movement notices from a CSV file. Each row goes through exactly what
 * POST /movements does — the notice schema, then MovementsService.submit with its rules (lead
 * time, operation area, …) — in its own transaction, so a refused row writes nothing and the
 * other rows still land. With an Idempotency-Key, row N is submitted under "<key>:row-N": the
 * same upload sent again creates nothing twice.
 */
@Injectable()
export class MovementImportService {
  private readonly logger = new Logger(MovementImportService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly movements: MovementsService,
  ) {}

  async importCsv(actor: Actor, csv: string, idempotencyKey?: string): Promise<RowOutcome[]> {
    const outcomes: RowOutcome[] = [];
    // One at a time, in file order: references follow the rows, and the pool stays free.
    for (const row of readUpload(csv)) {
      outcomes.push(await this.importRow(actor, row, idempotencyKey));
    }
    // Each movement has its own record; this one says they came in one file, and what failed.
    await this.db.transaction((manager) =>
      recordAudit(manager, {
        actorUserId: actor.userId,
        actorRole: actor.role,
        organisationId: actor.organisationId,
        action: 'movements.imported',
        entityType: 'organisation',
        entityId: actor.organisationId ?? '',
        details: {
          rows: outcomes.length,
          references: outcomes.flatMap((o) => ('reference' in o ? [o.reference] : [])),
          failedRows: outcomes.flatMap((o) => ('failure' in o ? [o.row] : [])),
          idempotencyKey: idempotencyKey ?? null,
        },
      }),
    );
    return outcomes;
  }

  private async importRow(
    actor: Actor,
    { row, record, widthProblem }: UploadedRow,
    idempotencyKey: string | undefined,
  ): Promise<RowOutcome> {
    const { notice, problems } = noticeFromRow(record);
    const parsed = notificationSchema.safeParse(notice, { reportInput: true });
    const refused: FieldProblem[] = [
      ...(widthProblem ? [widthProblem] : []),
      ...problems,
      ...(parsed.success
        ? []
        : parsed.error.issues.map((i) => toProblem(i as StandardSchemaV1.Issue))),
    ];
    if (refused.length > 0 || !parsed.success) {
      return { row, failure: new ValidationFailedException(refused) };
    }
    try {
      const result = await this.movements.submit(
        actor,
        parsed.data,
        idempotencyKey === undefined
          ? undefined
          : {
              key: `${idempotencyKey}:row-${row}`,
              method: 'POST',
              path: IMPORT_PATH,
              body: parsed.data,
            },
      );
      return {
        row,
        id: result.body.id,
        reference: result.body.reference,
        replayed: result.replayed,
      };
    } catch (error) {
      if (error instanceof HttpException && error.getStatus() < 500) return { row, failure: error };
      this.logger.error(`import row ${row}: ${(error as Error).stack ?? String(error)}`);
      return {
        row,
        failure: new ValidationFailedException([
          { field: '', rule: 'not_saved', text: exportsText('import.not_saved') },
        ]),
      };
    }
  }
}
