import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { MOVEMENT_STATUS_CHANGED } from './movement-lifecycle';

export interface StatusChange {
  movementId: string;
  version: number;
  from: string;
  to: string;
  event: string;
}

/**
 * One log line per committed status change, and counters of transitions for this process
 * (the metrics endpoint of issue 8 reads them). Losing one with the process loses no work.
 */
@Injectable()
export class LifecycleLogListener {
  private readonly logger = new Logger('Lifecycle');
  readonly transitions = new Map<string, number>();

  @OnEvent(MOVEMENT_STATUS_CHANGED)
  onStatusChanged(change: StatusChange): void {
    const key = `${change.from}->${change.to}`;
    this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
    this.logger.log(JSON.stringify({ msg: 'movement status changed', ...change }));
  }
}
