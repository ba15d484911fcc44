export * from './accounts.service';
export * from './auth.module';
export * from './auth.service';
export * from './entities';
export * from './guards';
export * from './passwords';
export * from './demo-seed';
