export * from './audit';
export * from './audit-event.entity';
export * from './chain-sql';
export * from './sealer';
export * from './verify-chain';
