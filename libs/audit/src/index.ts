export * from './audit';
export * from './audit-event.entity';
