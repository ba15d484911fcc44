import { z } from 'zod';

/**
 * The movement notification as an organisation submits it (DESIGN §3), field names exactly as
 * the API uses them. Shape and format rules live here; rules that need the clock or the
 * configuration (lead time, operation area) live in rules.ts.
 */
export const MOVEMENT_TYPES = ['convoy', 'mission', 'evacuation', 'delivery'] as const;
export const PRIORITIES = ['routine', 'emergency'] as const;
export const TRANSPORT_MODES = ['road', 'air', 'river'] as const;
export const CARGO_CATEGORIES = [
  'food',
  'nfi',
  'medical',
  'wash',
  'shelter',
  'fuel',
  'other',
] as const;
export const ESCORT_STATUSES = ['none', 'requested', 'imposed'] as const;

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).optional();
const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ().-]{6,25}$/, { error: 'must be a phone number such as +223 76 00 00 00' });
const latitude = z.number().min(-90).max(90);
const longitude = z.number().min(-180).max(180);
const instant = z.iso.datetime({ offset: true });

const place = z.strictObject({ place: text(120), lat: latitude, lon: longitude });
const timedPlace = z.strictObject({ place: text(120), lat: latitude, lon: longitude, at: instant });

export const notificationSchema = z.strictObject({
  type: z.enum(MOVEMENT_TYPES),
  priority: z.enum(PRIORITIES).default('routine'),
  emergencyReason: optionalText(2000),
  mode: z.enum(TRANSPORT_MODES).default('road'),
  purpose: text(2000),
  focalPoint: z.strictObject({
    name: text(200),
    phone,
    satPhone: phone.optional(),
    email: z.email().max(254),
  }),
  convoyLeader: z.strictObject({
    name: text(200),
    phone,
    callSign: optionalText(50),
  }),
  departure: timedPlace,
  arrival: timedPlace,
  waypoints: z
    .array(place.extend({ overnight: z.boolean().optional() }).strict())
    .max(50)
    .default([]),
  vehicles: z
    .array(
      z.strictObject({
        type: text(100),
        plate: text(30),
        markings: optionalText(300),
      }),
    )
    .max(200)
    .default([]),
  personnel: z.strictObject({
    national: z.number().int().min(0).max(10000),
    international: z.number().int().min(0).max(10000),
  }),
  cargo: z
    .array(
      z.strictObject({
        category: z.enum(CARGO_CATEGORIES),
        description: text(500),
        tonnes: z.number().min(0).max(10000),
      }),
    )
    .max(100)
    .default([]),
  escort: z
    .strictObject({
      status: z.enum(ESCORT_STATUSES).default('none'),
      provider: optionalText(200),
      justification: optionalText(2000),
    })
    .default({ status: 'none' }),
  communications: z
    .strictObject({
      vhfChannel: optionalText(50),
      radioRoom: optionalText(100),
      satPhone: phone.optional(),
    })
    .default({}),
  dataAccuracyConfirmed: z.boolean(),
  verifiedBy: text(200),
});

export type MovementNotificationInput = z.input<typeof notificationSchema>;
export type NotificationData = z.output<typeof notificationSchema>;

/**
 * An amendment: any subset of the notification's fields (each top-level field given replaces
 * the current one whole), plus the version being amended and a note on what changed.
 */
export const amendmentSchema = z
  .strictObject({
    ...Object.fromEntries(
      Object.keys(notificationSchema.shape).map((key) => [key, z.unknown().optional()]),
    ),
    version: z.number().int().min(1).optional(),
    changeNote: optionalText(1000),
  })
  .refine((body) => Object.keys(body).some((k) => k !== 'version' && k !== 'changeNote'), {
    error: 'send at least one field to change',
    params: { rule: 'empty_amendment', messageKey: 'movement.rule.empty_amendment' },
  });

export type AmendmentInput = {
  version?: number;
  changeNote?: string;
} & Partial<Record<keyof NotificationData, unknown>>;

export const cancellationSchema = z.strictObject({
  reason: text(1000),
});

export const MOVEMENT_STATUSES = [
  'submitted',
  'in_review',
  'flagged',
  'escalated',
  'acknowledged',
  'in_progress',
  'completed',
  'cancelled',
  'expired',
] as const;
export type MovementStatus = (typeof MOVEMENT_STATUSES)[number];

export const listQuerySchema = z.strictObject({
  status: z
    .string()
    .transform((value) => value.split(',').map((s) => s.trim()))
    .pipe(z.array(z.enum(MOVEMENT_STATUSES)).min(1))
    .optional(),
  /** Admin1 code (e.g. ML-5): movements departing from or arriving in that region. */
  region: z
    .string()
    .regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/)
    .optional(),
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/)
    .optional(),
});

export type ListQuery = z.output<typeof listQuerySchema>;
