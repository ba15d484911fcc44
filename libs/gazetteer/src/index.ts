export * from './csv';
export * from './gazetteer.migration';
export * from './gazetteer.module';
export * from './gazetteer.service';
export * from './normalise';
export * from './places.schema';
export * from './seed-data';
