export * from './outbox';
export * from './queue.module';
export * from './queues';
export * from './outbox-relay.service';
