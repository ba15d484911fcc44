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
