import type { MovementStatus, NotificationData } from './notification.schema';

/** A movement as the API shows it: its current version's fields at the top level. */
export interface MovementView extends NotificationData {
  id: string;
  reference: string;
  version: number;
  status: MovementStatus;
  organisation: { id: string; acronym: string; name: string };
  regions: { departure: string | null; arrival: string | null };
  cancellationReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MovementVersionView {
  version: number;
  createdAt: string;
  createdBy: string;
  changeNote: string | null;
  notification: NotificationData;
}

export interface MovementDetailView extends MovementView {
  versions: MovementVersionView[];
}

export interface MovementSummaryView {
  id: string;
  reference: string;
  version: number;
  status: MovementStatus;
  type: string;
  priority: string;
  organisation: { id: string; acronym: string; name: string };
  departure: { place: string; at: string };
  arrival: { place: string; at: string };
  regions: { departure: string | null; arrival: string | null };
  updatedAt: string;
}

export interface MovementPage {
  items: MovementSummaryView[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/** Row shape of the queries in movements.service.ts. */
export interface MovementRow {
  id: string;
  reference: string;
  status: MovementStatus;
  current_version: number;
  type: string;
  priority: string;
  departure_place: string;
  arrival_place: string;
  departure_at: Date;
  arrival_at: Date;
  cancellation_reason: string | null;
  created_at: Date;
  updated_at: Date;
  organisation_id: string;
  organisation_acronym: string;
  organisation_name: string;
  departure_admin1: string | null;
  arrival_admin1: string | null;
  notification?: NotificationData;
}

export function toMovementView(
  row: MovementRow & { notification: NotificationData },
): MovementView {
  return {
    id: row.id,
    reference: row.reference,
    version: row.current_version,
    status: row.status,
    organisation: organisationOf(row),
    ...row.notification,
    regions: regionsOf(row),
    cancellationReason: row.cancellation_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toSummaryView(row: MovementRow): MovementSummaryView {
  return {
    id: row.id,
    reference: row.reference,
    version: row.current_version,
    status: row.status,
    type: row.type,
    priority: row.priority,
    organisation: organisationOf(row),
    departure: { place: row.departure_place, at: row.departure_at.toISOString() },
    arrival: { place: row.arrival_place, at: row.arrival_at.toISOString() },
    regions: regionsOf(row),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Admin1 codes (ISO 3166-2) of departure and arrival; null outside every region. */
function regionsOf(row: MovementRow) {
  return { departure: row.departure_admin1, arrival: row.arrival_admin1 };
}

function organisationOf(row: MovementRow) {
  return {
    id: row.organisation_id,
    acronym: row.organisation_acronym,
    name: row.organisation_name,
  };
}

/** Keyset pagination over (departure_at DESC, id DESC): stable and fast at any depth. */
export function encodeCursor(departureAt: Date, id: string): string {
  return Buffer.from(`${departureAt.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { departureAt: string; id: string } | undefined {
  const [departureAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!departureAt || !id || Number.isNaN(Date.parse(departureAt))) return undefined;
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  return { departureAt, id };
}
