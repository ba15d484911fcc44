/** PostgreSQL error codes the services react to. */
export const PG_UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const pg =
    (error as { driverError?: { code?: string; constraint?: string } }).driverError ?? error;
  const { code, constraint: name } = pg as { code?: string; constraint?: string };
  return code === PG_UNIQUE_VIOLATION && (constraint === undefined || name === constraint);
}

/** Connection-level failures: the database is down or restarting, the request may be retried. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const pg = (error as { driverError?: { code?: string } }).driverError ?? error;
  const code = (pg as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : '';
  return (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08001',
      '08003',
    ].includes(code) ||
    /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
      message,
    )
  );
}

/**
 * An error in the data of a statement (SQLSTATE class 22, e.g. a malformed uuid, or 23, a
 * constraint) rather than in reaching the database: worth running each item of a set-based
 * statement alone (Coalescer).
 */
export function isDataError(error: unknown): boolean {
  const pg = (error as { driverError?: { code?: unknown } })?.driverError ?? error;
  const code = (pg as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
