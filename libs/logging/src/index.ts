export * from './context';
export * from './email-logging';
export * from './http-logging';
export * from './job-logging';
export * from './logger';
export * from './nest-logger';
export * from './redaction';
export * from './request-id';
