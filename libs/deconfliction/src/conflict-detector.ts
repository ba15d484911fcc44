import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  MOVEMENT_VERSIONS_SQL,
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
   * (flags, escalations, emails through the outbox) commits together with the conflicts it
   * reacts to: a crash between the two would otherwise lose "newly conflicting".
   */
  onBatch?: (manager: EntityManager, batch: DetectionResult) => Promise<void>;
  batchSize?: number;
}

interface OutcomeRow {
  outcome: 'conflict' | 'cleared';
  movement_id: string;
  version: number;
  zone_id: string;
  level: ZoneLevel;
  previous_level: ZoneLevel | null;
}

/** The lowest uuid: the keyset of a zone re-check starts after it. */
const FIRST_KEY = '00000000-0000-0000-0000-000000000000';

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
   * in batches of planned movements (keyset over the movement id), one transaction each, so a
   * zone across 100,000 routes never holds one giant transaction.
   */
  async detectForZone(
    zoneId: string,
    options: ZoneRecheckOptions = {},
  ): Promise<ZoneRecheckResult> {
    const batchSize = options.batchSize ?? this.settings.zoneRecheckBatchSize;
    const result: ZoneRecheckResult = { zoneId, batches: 0, conflicts: [], cleared: [] };
    let after = FIRST_KEY;
    for (;;) {
      const upto = await this.db.transaction(async (manager) => {
        const [zone]: ZoneBatchOpening[] = await manager.query(ZONE_BATCH_OPENING_SQL, [
          zoneId,
          after,
          PLANNED_STATUSES,
          batchSize,
        ]);
        if (!zone) throw new Error(`restricted zone ${zoneId} does not exist`);
        if (!zone.upto) return null;
        const batch = toResult(
          await manager.query(ZONE_BATCH_SQL, [
            zoneId,
            this.corridorWidthMetres,
            after,
            zone.upto,
            PLANNED_STATUSES,
            zone.geom,
            zone.active,
            zone.relevant,
            zone.level,
            zone.version,
          ]),
        );
        await options.onBatch?.(manager, batch);
        result.conflicts = result.conflicts.concat(batch.conflicts);
        result.cleared = result.cleared.concat(batch.cleared);
        return zone.upto;
      });
      if (!upto) return result;
      result.batches += 1;
      after = upto;
    }
  }
}

function toResult(rows: OutcomeRow[]): DetectionResult {
  const result: DetectionResult = { conflicts: [], cleared: [] };
  for (const row of rows) {
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
