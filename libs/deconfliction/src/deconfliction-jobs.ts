import { OutboxMessage, QUEUES } from '@hns/queue';

export const DECONFLICTION_JOBS = {
  /** Payload { zoneId, version }: ConflictDetector.detectForZone. */
  zoneRecheck: 'zone.recheck',
  /** Payload { movementId, version }: ConflictDetector.detectForMovementVersion. */
  movementVersion: 'movement.deconflict',
  /** Payload a DetectionResult of one batch: the flags, escalations and notices it calls for. */
  zoneConsequences: 'zone.consequences',
} as const;

/** The re-check a zone's declaration, change or lift asks of the worker. */
export function zoneRecheckWork(zoneId: string, version: number): OutboxMessage[] {
  return [
    {
      queue: QUEUES.deconfliction,
      jobName: DECONFLICTION_JOBS.zoneRecheck,
      payload: { zoneId, version },
      correlationId: zoneId,
    },
  ];
}
