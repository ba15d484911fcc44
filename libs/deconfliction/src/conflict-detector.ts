import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { currentRequestId } from '@hns/logging';
import { outboxWritten } from '@hns/queue';
import {
  MOVEMENT_VERSIONS_SQL,
  ZONE_BATCH_KEYS_SQL,
  ZONE_BATCH_OPENING_SQL,
  ZONE_BATCH_SQL,
  ZoneBatchOpening,
} from './conflict-sql';
import { DECONFLICTION_SETTINGS, DeconflictionSettings } from './settings';
import type { ZoneLevel } from './zone.schema';

/** Movements still to happen, whose routes a new or changed zone may cross (DESIGN §4). */
export const PLANNED_STATUSES = [
  'submitted',
  'in_review',
  'flagged',
  'escalated',
  'acknowledged',
  'in_progress',
] as const;

/** A movement version × zone conflict as it stands after a detection run. */
export interface DetectedConflict {
  movementId: string;
  version: number;
  zoneId: string;
  level: ZoneLevel;
  /** No conflict with this zone was on record for this version before the run. */
  newlyConflicting: boolean;
  /** The level on record before the run (a zone raised from caution to no-go must re-flag). */
  previousLevel: ZoneLevel | null;
}

/** A conflict on record that no longer holds (zone lifted, moved, or rescheduled). */
export interface ClearedConflict {
  movementId: string;
  version: number;
  zoneId: string;
  level: ZoneLevel;
}

export interface DetectionResult {
  conflicts: DetectedConflict[];
  cleared: ClearedConflict[];
}

export interface ZoneRecheckResult extends DetectionResult {
  zoneId: string;
  batches: number;
}

export interface ZoneRecheckOptions {
  /**
   * Runs inside each batch's transaction with that batch's outcome, so that follow-up work
   * committed there commits together with the conflicts it reacts to. Each batch is then a
   * transaction of a few round trips instead of one statement: prefer `consequences`.
   */
  onBatch?: (manager: EntityManager, batch: DetectionResult) => Promise<void>;
  /**
   * The job that applies a batch's consequences (flags, escalations, notices): each batch's
   * statement also writes one outbox row with this queue, job name and correlation id, whose
   * payload is the DetectionResult of the conflicts with consequences (ZONE_BATCH_SQL: new or
   * raised no-go conflicts, cleared ones), if there are any. Written with the conflicts it
   * reacts to, in the same statement: a crash cannot store one without the other.
   */
  consequences?: { queue: string; jobName: string; correlationId: string };
  batchSize?: number;
}

interface OutcomeRow {
  outcome: 'conflict' | 'cleared' | 'stale';
  movement_id: string;
  version: number;
  zone_id: string;
  level: ZoneLevel;
  previous_level: ZoneLevel | null;
}

/** The lowest and the highest uuid: the batches of a zone re-check lie between them. */
const FIRST_KEY = '00000000-0000-0000-0000-000000000000';
const LAST_KEY = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/** Batches of a zone re-check run at a time (each on a connection of its own). */
export const ZONE_RECHECK_LANES = 2;

/** Times a batch reads a zone changed under it again before the job gives up (and is retried). */
const ZONE_RECHECK_STALE_RETRIES = 10;

/** The parameters of ZONE_BATCH_SQL for one batch (also for EXPLAIN in the benchmark). */
export function zoneBatchParameters(
  zoneId: string,
  corridorWidthMetres: number,
  after: string,
  upto: string,
  zone: ZoneBatchOpening,
  consequences?: ZoneRecheckOptions['consequences'],
): unknown[] {
  const requestId = consequences ? currentRequestId() : undefined;
  return [
    zoneId,
    corridorWidthMetres,
    after,
    upto,
    PLANNED_STATUSES,
    zone.geom,
    zone.active,
    zone.window,
    zone.level,
    zone.version,
    consequences?.queue ?? null,
    consequences?.jobName ?? null,
    consequences?.correlationId ?? null,
    // The request that asked for this work, for the logs (as enqueueInOutbox adds it).
    requestId ? JSON.stringify({ requestId }) : null,
  ];
}

/**
 * Finds where routes meet restricted zones in space and time (DESIGN §5), in PostgreSQL:
 * each entry point is set-based SQL over GiST-indexed geography and tstzrange columns, and
 * idempotent (a re-run finds the same conflicts and rewrites nothing).
 */
@Injectable()
export class ConflictDetector {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(DECONFLICTION_SETTINGS) private readonly settings: DeconflictionSettings,
  ) {}

  /** Corridor width in metres, as ST_DWithin and ST_Buffer on geography take it. */
  get corridorWidthMetres(): number {
    return this.settings.corridorWidthKm * 1000;
  }

  /**
   * The conflicts of one movement version, e.g. when it is submitted or amended. Runs in the
   * caller's transaction when given one, so the caller's follow-up commits with it.
   */
  async detectForMovementVersion(
    movementId: string,
    version: number,
    manager?: EntityManager,
  ): Promise<DetectionResult> {
    return this.detectForMovementVersions([{ movementId, version }], manager);
  }

  /** The same for many movement versions in one statement (a batch of review fan-outs). */
  async detectForMovementVersions(
    versions: { movementId: string; version: number }[],
    manager?: EntityManager,
  ): Promise<DetectionResult> {
    if (versions.length === 0) return { conflicts: [], cleared: [] };
    const run = async (m: EntityManager) =>
      toResult(
        await m.query(MOVEMENT_VERSIONS_SQL, [
          versions.map((v) => v.movementId),
          versions.map((v) => v.version),
          this.corridorWidthMetres,
        ]),
      );
    return manager ? run(manager) : this.db.transaction(run);
  }

  /**
   * Re-checks every planned movement against one zone after it is declared, changed or lifted,
   * in batches of planned movements (ranges of movement ids), each committed on its own, so a
   * zone across 100,000 routes never holds one giant transaction. The ranges are cut first and
   * cover every id (the last one is open); ZONE_RECHECK_LANES of them run at a time, because the
   * work is CPU in PostgreSQL and one batch at a time leaves the other cores idle.
   *
   * The zone is read once, with the cut; each batch is one statement that locks the zone and
   * checks that it is still that version (else it reads it again and runs again), so that a
   * batch costs one round trip, not five: under load each round trip waits for the worker's
   * event loop and the batches had spent as long waiting as computing.
   */
  async detectForZone(
    zoneId: string,
    options: ZoneRecheckOptions = {},
  ): Promise<ZoneRecheckResult> {
    const batchSize = options.batchSize ?? this.settings.zoneRecheckBatchSize;
    const [keys, opened]: [{ upto: string }[], ZoneBatchOpening[]] = await Promise.all([
      this.db.query(ZONE_BATCH_KEYS_SQL, [PLANNED_STATUSES, batchSize]),
      this.db.query(ZONE_BATCH_OPENING_SQL, [zoneId]),
    ]);
    const read = { zone: opened[0] };
    if (!read.zone) throw new Error(`restricted zone ${zoneId} does not exist`);
    const bounds = [FIRST_KEY, ...keys.map((k) => k.upto), LAST_KEY];
    const outcomes: DetectionResult[] = [];
    let next = 0;
    let failed = false;
    const lane = async () => {
      while (!failed && next < bounds.length - 1) {
        const index = next++;
        try {
          outcomes[index] = await this.recheckBatch(
            zoneId,
            bounds[index],
            bounds[index + 1],
            read,
            options,
          );
        } catch (error) {
          failed = true; // the other lane takes no further batch; the job runs again
          throw error;
        }
      }
    };
    const lanes = await Promise.allSettled(Array.from({ length: ZONE_RECHECK_LANES }, lane));
    const failure = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failure) throw failure.reason;
    return {
      zoneId,
      batches: outcomes.length,
      conflicts: outcomes.flatMap((o) => o.conflicts),
      cleared: outcomes.flatMap((o) => o.cleared),
    };
  }

  /**
   * One batch: the planned movements with ids in (after, upto], committed on its own: one
   * statement, or a transaction when `onBatch` must run in it. `read` is the zone as last read,
   * shared by the lanes; read again when a batch finds it changed.
   */
  private async recheckBatch(
    zoneId: string,
    after: string,
    upto: string,
    read: { zone: ZoneBatchOpening },
    options: ZoneRecheckOptions,
  ): Promise<DetectionResult> {
    const run = async (manager: EntityManager): Promise<DetectionResult> => {
      for (let attempt = 0; ; attempt++) {
        const zone = read.zone;
        const rows: OutcomeRow[] = await manager.query(
          ZONE_BATCH_SQL,
          zoneBatchParameters(
            zoneId,
            this.corridorWidthMetres,
            after,
            upto,
            zone,
            options.consequences,
          ),
        );
        if (rows.length !== 1 || rows[0].outcome !== 'stale') {
          if (options.consequences) outboxWritten(manager);
          return toResult(rows);
        }
        if (attempt >= ZONE_RECHECK_STALE_RETRIES) {
          throw new Error(`restricted zone ${zoneId} kept changing during its re-check`);
        }
        // Changed since it was read (by this lane or the other): read it as it now is.
        if (read.zone === zone) {
          const [again]: ZoneBatchOpening[] = await manager.query(ZONE_BATCH_OPENING_SQL, [zoneId]);
          if (!again) throw new Error(`restricted zone ${zoneId} does not exist`);
          read.zone = again;
        }
      }
    };
    if (!options.onBatch) return run(this.db.manager);
    const onBatch = options.onBatch;
    return this.db.transaction(async (manager) => {
      const batch = await run(manager);
      await onBatch(manager, batch);
      return batch;
    });
  }
}

function toResult(rows: OutcomeRow[]): DetectionResult {
  const result: DetectionResult = { conflicts: [], cleared: [] };
  for (const row of rows) {
    if (row.outcome === 'stale') continue;
    const key = { movementId: row.movement_id, version: row.version, zoneId: row.zone_id };
    if (row.outcome === 'cleared') {
      result.cleared.push({ ...key, level: row.level });
    } else {
      result.conflicts.push({
        ...key,
        level: row.level,
        newlyConflicting: row.previous_level === null,
        previousLevel: row.previous_level,
      });
    }
  }
  return result;
}
