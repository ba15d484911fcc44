export * from './metrics-token';
export * from './probes';
export * from './registry';
