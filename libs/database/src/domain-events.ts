import { Injectable, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';

export interface DomainEvent {
  name: string;
  payload: Record<string, unknown>;
}

const PENDING = 'hns.domainEvents';

/**
 * Announces an in-process domain event once the caller's transaction commits (never for a
 * rolled-back change). For side effects that may be lost with the process, such as logs and
 * metrics: anything that must happen goes through the outbox instead.
 */
export function publishAfterCommit(manager: EntityManager, event: DomainEvent): void {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error(`${event.name}: publish inside a transaction`);
  const pending = (runner.data[PENDING] ??= []) as DomainEvent[];
  pending.push(event);
}

/** Hands the events of a committed transaction to @nestjs/event-emitter listeners. */
@Injectable()
export class DomainEventsRelay implements EntitySubscriberInterface, OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: EventEmitter2,
  ) {}

  onModuleInit(): void {
    this.db.subscribers.push(this);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const pending = (event.queryRunner.data[PENDING] ?? []) as DomainEvent[];
    delete event.queryRunner.data[PENDING];
    for (const { name, payload } of pending) this.events.emit(name, payload);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    delete event.queryRunner.data[PENDING];
  }
}
