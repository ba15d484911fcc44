import { DataSource } from 'typeorm';
import { recordAudit } from '@hns/audit';
import { ConflictDetector } from '@hns/deconfliction';
import { ZoneConsequences } from '@hns/reviews';
import { Command, CommandError, cliAudit, required } from './command';

interface ConflictLine {
  zone_id: string;
  name: string;
  level: string;
  from: Date;
  until: Date;
}

/**
 * deconflict --movement <reference>: runs the conflict engine again for the movement's current
 * version, with the same consequences as at submission (a new no-go conflict flags the movement
 * and escalates it to UNDSS, in the same transaction), and prints what holds now.
 */
export const deconflict: Command = async (app, args) => {
  const reference = required(args, 'movement');
  const db = app.get(DataSource);
  const [movement]: { id: string; current_version: number; status: string }[] = await db.query(
    `SELECT id, current_version, status FROM movement_notifications WHERE reference = $1`,
    [reference],
  );
  if (!movement) throw new CommandError(`movement: no movement / aucun mouvement "${reference}"`);
  const { id, current_version: version } = movement;
  const result = await db.transaction(async (manager) => {
    const found = await app.get(ConflictDetector).detectForMovementVersion(id, version, manager);
    await app.get(ZoneConsequences).apply(manager, found);
    await recordAudit(
      manager,
      cliAudit('deconfliction.rerun', 'movement', id, {
        version,
        conflicts: found.conflicts.length,
        newlyConflicting: found.conflicts.filter((c) => c.newlyConflicting).length,
        cleared: found.cleared.length,
      }),
    );
    return found;
  });
  const zones: ConflictLine[] = await db.query(
    `SELECT z.id AS zone_id, z.name, c.level, lower(c.overlap) AS "from", upper(c.overlap) AS until
     FROM movement_conflicts c JOIN restricted_zones z ON z.id = c.zone_id
     WHERE c.movement_id = $1 AND c.version = $2 ORDER BY lower(c.overlap), z.name`,
    [id, version],
  );
  const isNew = new Set(result.conflicts.filter((c) => c.newlyConflicting).map((c) => c.zoneId));
  const [after]: { status: string }[] = await db.query(
    `SELECT status FROM movement_notifications WHERE id = $1`,
    [id],
  );
  return {
    code: 0,
    lines: [
      ...zones.map(
        (z) =>
          `conflict / conflit: ${z.name} (${z.level}) ${z.from.toISOString()} → ${z.until.toISOString()}` +
          (isNew.has(z.zone_id) ? ' [new / nouveau]' : ''),
      ),
      ...result.cleared.map((c) => `cleared / levé: zone ${c.zoneId} (${c.level})`),
      `${reference} v${version}: ${zones.length} conflict(s) / conflit(s), ` +
        `${result.cleared.length} cleared / levé(s); status / statut ${movement.status} → ${after.status}`,
    ],
  };
};
