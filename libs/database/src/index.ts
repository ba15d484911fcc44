export * from './data-source';
export * from './database.module';
export * from './migrate';
export * from './pg-errors';
export * from './domain-events';
export * from './prepared';
export * from './coalescer';
