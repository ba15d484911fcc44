export * from './error-response.filter';
export * from './problems';
export * from './validation.pipe';
export * from './idempotency';
