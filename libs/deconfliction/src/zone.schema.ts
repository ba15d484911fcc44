import { z } from 'zod';
import type { MessageParams } from '@hns/i18n';
import { DeconflictionMessageKey, bothLanguages, deconflictionText } from './messages';

/**
 * A restricted zone as the armed forces liaison or UNDSS declares it (DESIGN §5). The shape of
 * the GeoJSON is checked here; what needs PostGIS (self-intersection, the operation area) is
 * checked in SQL by the zones service.
 */
export const ZONE_LEVELS = ['no_go', 'caution'] as const;
export type ZoneLevel = (typeof ZONE_LEVELS)[number];

/** Keeps a zone drawable and its checks cheap; a district outline needs far fewer positions. */
export const MAX_ZONE_POSITIONS = 20_000;
export const MAX_RADIUS_KM = 300;

type Ctx = z.RefinementCtx;

/** A custom issue carrying its rule and both languages' texts (see BodySchemaPipe). */
export function addRuleIssue(
  ctx: Ctx,
  path: (string | number)[],
  key: DeconflictionMessageKey,
  params: MessageParams = {},
): void {
  ctx.addIssue({
    code: 'custom',
    path,
    message: deconflictionText('en', key, params),
    params: { rule: key.replace(/^zone\.rule\./, ''), text: bothLanguages(key, params) },
  });
}

const longitude = z.number().min(-180).max(180);
const latitude = z.number().min(-90).max(90);
const text = (max: number) => z.string().trim().min(1).max(max);
const instant = z.iso.datetime({ offset: true });

/** [longitude, latitude], optionally an altitude (dropped: zones are flat). */
const position = z.tuple([longitude, latitude], z.number()).superRefine((p, ctx) => {
  if (p.length > 3) addRuleIssue(ctx, [], 'zone.rule.position_dimensions');
});

const ring = z
  .array(position)
  .max(MAX_ZONE_POSITIONS)
  .superRefine((positions, ctx) => {
    if (positions.length < 4) {
      addRuleIssue(ctx, [], 'zone.rule.ring_too_short', { count: positions.length });
      return;
    }
    const first = positions[0];
    const last = positions[positions.length - 1];
    if (first[0] !== last[0] || first[1] !== last[1]) {
      addRuleIssue(ctx, [], 'zone.rule.ring_not_closed', { first: `[${first[0]}, ${first[1]}]` });
    }
  });

const polygonRings = z.array(ring).min(1).max(100);
const bbox = z.array(z.number()).optional();

export const zoneGeometrySchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('Polygon'), coordinates: polygonRings, bbox }),
    z.strictObject({
      type: z.literal('MultiPolygon'),
      coordinates: z.array(polygonRings).min(1).max(100),
      bbox,
    }),
  ])
  .superRefine((geometry, ctx) => {
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    const count = polygons.flat().reduce((sum, r) => sum + r.length, 0);
    if (count > MAX_ZONE_POSITIONS) {
      addRuleIssue(ctx, ['coordinates'], 'zone.rule.too_many_positions', {
        count,
        max: MAX_ZONE_POSITIONS,
      });
    }
  });

export type ZoneGeometry = z.output<typeof zoneGeometrySchema>;

const center = z.strictObject({ lat: latitude, lon: longitude });
const radiusKm = z.number().positive().max(MAX_RADIUS_KM);

/** Either a drawn polygon or a circle, exactly one; `required` for a declaration. */
function checkShapeChoice(
  zone: { geometry?: unknown; center?: unknown; radiusKm?: unknown },
  ctx: Ctx,
  required: boolean,
): void {
  const circle = zone.center !== undefined || zone.radiusKm !== undefined;
  if (zone.geometry !== undefined && circle) {
    addRuleIssue(ctx, ['geometry'], 'zone.rule.geometry_or_circle');
  } else if (circle && (zone.center === undefined || zone.radiusKm === undefined)) {
    addRuleIssue(
      ctx,
      [zone.center === undefined ? 'center' : 'radiusKm'],
      'zone.rule.circle_incomplete',
    );
  } else if (required && zone.geometry === undefined && !circle) {
    addRuleIssue(ctx, ['geometry'], 'zone.rule.geometry_or_circle');
  }
}

function checkOrder(zone: { activeFrom?: string; activeTo?: string }, ctx: Ctx): void {
  if (zone.activeFrom === undefined || zone.activeTo === undefined) return;
  if (Date.parse(zone.activeTo) <= Date.parse(zone.activeFrom)) {
    addRuleIssue(ctx, ['activeTo'], 'zone.rule.active_order');
  }
}

export const zoneDeclarationSchema = z
  .strictObject({
    name: text(200),
    publicLabel: text(200),
    confidentialDetails: z.string().trim().max(5000).optional(),
    level: z.enum(ZONE_LEVELS),
    geometry: zoneGeometrySchema.optional(),
    center: center.optional(),
    radiusKm: radiusKm.optional(),
    activeFrom: instant,
    activeTo: instant,
    shareGeometry: z.boolean().default(false),
  })
  .superRefine((zone, ctx) => {
    checkShapeChoice(zone, ctx, true);
    checkOrder(zone, ctx);
  });

export type ZoneDeclaration = z.output<typeof zoneDeclarationSchema>;

export const zoneUpdateSchema = z
  .strictObject({
    /** The version the change was made against; a stale one is refused (409). */
    version: z.number().int().min(1).optional(),
    name: text(200).optional(),
    publicLabel: text(200).optional(),
    confidentialDetails: z.string().trim().max(5000).nullable().optional(),
    level: z.enum(ZONE_LEVELS).optional(),
    geometry: zoneGeometrySchema.optional(),
    center: center.optional(),
    radiusKm: radiusKm.optional(),
    activeFrom: instant.optional(),
    activeTo: instant.optional(),
    shareGeometry: z.boolean().optional(),
  })
  .superRefine((zone, ctx) => {
    checkShapeChoice(zone, ctx, false);
    checkOrder(zone, ctx);
    const { version: _version, ...changes } = zone;
    if (Object.values(changes).every((value) => value === undefined)) {
      addRuleIssue(ctx, [], 'zone.rule.empty_update');
    }
  });

export type ZoneUpdate = z.output<typeof zoneUpdateSchema>;

export const zoneLiftSchema = z
  .strictObject({ reason: z.string().trim().max(2000).optional() })
  .default({});

export const zoneListQuerySchema = z.strictObject({
  /** `current`: not lifted and not yet over; `all`: every zone ever declared. */
  state: z.enum(['current', 'all']).default('current'),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

export type ZoneListQuery = z.output<typeof zoneListQuerySchema>;

/** Where a zone's outline comes from: a drawn polygon, or a circle around a point. */
export type ZoneShape =
  | { kind: 'geometry'; geometry: ZoneGeometry }
  | { kind: 'circle'; center: { lat: number; lon: number }; radiusKm: number };

export function shapeOf(input: {
  geometry?: ZoneGeometry;
  center?: { lat: number; lon: number };
  radiusKm?: number;
}): ZoneShape | undefined {
  if (input.geometry) return { kind: 'geometry', geometry: input.geometry };
  if (input.center && input.radiusKm !== undefined) {
    return { kind: 'circle', center: input.center, radiusKm: input.radiusKm };
  }
  return undefined;
}
