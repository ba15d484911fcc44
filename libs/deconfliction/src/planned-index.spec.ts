import type { QueryRunner } from 'typeorm';
import { PlannedMovementsIndex1765710000000 } from '../../database/src/migrations/1765710000000-planned-movements-index';
import { PLANNED_STATUSES } from './conflict-detector';

describe('the index of planned movements behind each zone re-check batch', () => {
  it('covers exactly the statuses a zone re-check looks at, or PostgreSQL would not use it', async () => {
    const statements: string[] = [];
    const runner = { query: async (sql: string) => void statements.push(sql) };
    await new PlannedMovementsIndex1765710000000().up(runner as unknown as QueryRunner);
    const predicate = /WHERE status IN \(([^)]*)\)/.exec(statements.join('\n'))?.[1] ?? '';
    const statuses = predicate.split(',').map((s) => s.trim().replace(/'/g, ''));
    expect(statuses.sort()).toEqual([...PLANNED_STATUSES].sort());
  });
});
