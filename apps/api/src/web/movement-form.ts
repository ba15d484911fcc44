import { ValidationFailedException, toProblem } from '@hns/http';
import { NotificationData, notificationSchema } from '@hns/movements';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { fromLocalInput, toLocalInput } from './format';
import { FormBody, field } from './web-controller';

/** The form's values by field name ("departure.place", "vehicles.0.plate"), as typed. */
export type FormValues = Record<string, string>;

/** The repeated rows of the notice and their fields. */
export const ROWS = {
  waypoints: ['place', 'lat', 'lon', 'overnight'],
  vehicles: ['type', 'plate', 'markings'],
  cargo: ['category', 'description', 'tonnes'],
} as const;
export type RowGroup = keyof typeof ROWS;

/** Finds a place's coordinates by its name (the gazetteer), for forms sent without script. */
export type PlaceResolver = (name: string) => Promise<{ lat: number; lon: number } | undefined>;

/** Every value of a posted form, the CSRF token and form controls left out. */
export function valuesOf(body: FormBody | undefined): FormValues {
  const values: FormValues = {};
  for (const key of Object.keys(body ?? {})) {
    if (!key.startsWith('_')) values[key] = field(body, key);
  }
  return values;
}

/** How many rows of a group the form shows: those posted (or stored), at least one. */
export function rowCount(values: FormValues, group: RowGroup): number {
  let count = 0;
  const pattern = new RegExp(`^${group}\\.(\\d+)\\.`);
  for (const key of Object.keys(values)) {
    const match = pattern.exec(key);
    if (match) count = Math.max(count, Number(match[1]) + 1);
  }
  return Math.max(1, count);
}

/** The form's values of a stored notice, to amend it. */
export function valuesFromNotification(n: NotificationData): FormValues {
  const values: FormValues = {};
  const put = (name: string, value: unknown) => {
    if (value !== undefined && value !== null) values[name] = String(value);
  };
  put('type', n.type);
  put('priority', n.priority);
  put('emergencyReason', n.emergencyReason);
  put('mode', n.mode);
  put('purpose', n.purpose);
  for (const [group, object] of [
    ['focalPoint', n.focalPoint],
    ['convoyLeader', n.convoyLeader],
    ['personnel', n.personnel],
    ['escort', n.escort],
    ['communications', n.communications],
  ] as const) {
    for (const [key, value] of Object.entries(object ?? {})) put(`${group}.${key}`, value);
  }
  for (const end of ['departure', 'arrival'] as const) {
    put(`${end}.place`, n[end].place);
    put(`${end}.lat`, n[end].lat);
    put(`${end}.lon`, n[end].lon);
    values[`${end}.at`] = toLocalInput(n[end].at);
  }
  n.waypoints.forEach((w, i) => {
    put(`waypoints.${i}.place`, w.place);
    put(`waypoints.${i}.lat`, w.lat);
    put(`waypoints.${i}.lon`, w.lon);
    if (w.overnight) values[`waypoints.${i}.overnight`] = 'true';
  });
  n.vehicles.forEach((v, i) => ROWS.vehicles.forEach((k) => put(`vehicles.${i}.${k}`, v[k])));
  n.cargo.forEach((c, i) => ROWS.cargo.forEach((k) => put(`cargo.${i}.${k}`, c[k])));
  if (n.dataAccuracyConfirmed) values.dataAccuracyConfirmed = 'true';
  put('verifiedBy', n.verifiedBy);
  return values;
}

const text = (v: FormValues, name: string) => v[name] || undefined;

/** A number as typed (a decimal comma is fine); a non-number is kept for the schema to name. */
function num(v: FormValues, name: string): number | string | undefined {
  const raw = v[name];
  if (!raw) return undefined;
  const parsed = Number(raw.replace(',', '.'));
  return Number.isFinite(parsed) ? parsed : raw;
}

function rows(v: FormValues, group: RowGroup): number[] {
  const indices = [...Array(rowCount(v, group)).keys()];
  // A row left empty is not part of the notice ("overnight" alone does not make a row).
  return indices.filter((i) =>
    ROWS[group].some((k) => k !== 'overnight' && k !== 'category' && v[`${group}.${i}.${k}`]),
  );
}

/**
 * Problems name rows by their place in the notice; the form may have empty rows in between.
 * Returns the form field of a problem's field ("waypoints.0.lat" → "waypoints.2.lat").
 */
export function formFieldOf(v: FormValues): (problemField: string) => string {
  const kept = {
    waypoints: rows(v, 'waypoints'),
    vehicles: rows(v, 'vehicles'),
    cargo: rows(v, 'cargo'),
  };
  return (problemField) =>
    problemField.replace(
      /^(waypoints|vehicles|cargo)\.(\d+)/,
      (match, group: RowGroup, index: string) => {
        const row = kept[group][Number(index)];
        return row === undefined ? match : `${group}.${row}`;
      },
    );
}

async function place(v: FormValues, prefix: string, resolve: PlaceResolver, at: boolean) {
  let lat = num(v, `${prefix}.lat`);
  let lon = num(v, `${prefix}.lon`);
  const name = text(v, `${prefix}.place`);
  if (name && lat === undefined && lon === undefined) {
    const found = await resolve(name);
    lat = found?.lat;
    lon = found?.lon;
  }
  return { place: name, lat, lon, ...(at ? { at: fromLocalInput(v[`${prefix}.at`]) } : {}) };
}

/**
 * The notice a form describes, checked with the API's own schema: the same field names, the
 * same rules, the same wording of every problem. Throws ValidationFailedException.
 */
export async function notificationFromForm(
  v: FormValues,
  resolve: PlaceResolver,
): Promise<NotificationData> {
  const input = {
    type: text(v, 'type'),
    priority: text(v, 'priority'),
    emergencyReason: text(v, 'emergencyReason'),
    mode: text(v, 'mode'),
    purpose: text(v, 'purpose'),
    focalPoint: {
      name: text(v, 'focalPoint.name'),
      phone: text(v, 'focalPoint.phone'),
      satPhone: text(v, 'focalPoint.satPhone'),
      email: text(v, 'focalPoint.email'),
    },
    convoyLeader: {
      name: text(v, 'convoyLeader.name'),
      phone: text(v, 'convoyLeader.phone'),
      callSign: text(v, 'convoyLeader.callSign'),
    },
    departure: await place(v, 'departure', resolve, true),
    arrival: await place(v, 'arrival', resolve, true),
    waypoints: await Promise.all(
      rows(v, 'waypoints').map(async (i) => ({
        ...(await place(v, `waypoints.${i}`, resolve, false)),
        overnight: v[`waypoints.${i}.overnight`] === 'true',
      })),
    ),
    vehicles: rows(v, 'vehicles').map((i) => ({
      type: text(v, `vehicles.${i}.type`),
      plate: text(v, `vehicles.${i}.plate`),
      markings: text(v, `vehicles.${i}.markings`),
    })),
    personnel: {
      national: num(v, 'personnel.national') ?? 0,
      international: num(v, 'personnel.international') ?? 0,
    },
    cargo: rows(v, 'cargo').map((i) => ({
      category: text(v, `cargo.${i}.category`),
      description: text(v, `cargo.${i}.description`),
      tonnes: num(v, `cargo.${i}.tonnes`),
    })),
    escort: {
      status: text(v, 'escort.status') ?? 'none',
      provider: text(v, 'escort.provider'),
      justification: text(v, 'escort.justification'),
    },
    communications: {
      vhfChannel: text(v, 'communications.vhfChannel'),
      radioRoom: text(v, 'communications.radioRoom'),
      satPhone: text(v, 'communications.satPhone'),
    },
    dataAccuracyConfirmed: v.dataAccuracyConfirmed === 'true',
    verifiedBy: text(v, 'verifiedBy'),
  };
  const parsed = notificationSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    throw new ValidationFailedException(
      parsed.error.issues.map((issue) => toProblem(issue as unknown as StandardSchemaV1.Issue)),
    );
  }
  return parsed.data;
}
