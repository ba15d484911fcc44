import type { FieldProblem } from '@hns/http';
import type { NotificationData } from './notification.schema';

export interface OperationArea {
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

export interface MovementRuleSettings {
  now: Date;
  leadTimeHours: number;
  area: OperationArea;
}

export const MAX_MOVEMENT_DAYS = 30;
export const MIN_EMERGENCY_REASON = 10;
export const MIN_ESCORT_JUSTIFICATION = 20;

/**
 * The domain rules of DESIGN §1 that a well-formed notification must still satisfy.
 * Pure: the clock and the settings are arguments. Returns every problem, not just the first.
 */
export function checkMovementRules(
  n: NotificationData,
  settings: MovementRuleSettings,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const departure = new Date(n.departure.at).getTime();
  const arrival = new Date(n.arrival.at).getTime();
  const now = settings.now.getTime();

  if (departure <= now) {
    problems.push(rule('departure.at', 'departure_in_past', 'movement.rule.departure_in_past'));
  } else if (n.priority === 'routine' && departure - now < settings.leadTimeHours * 3600_000) {
    problems.push(
      rule('departure.at', 'lead_time', 'movement.rule.lead_time', {
        hours: settings.leadTimeHours,
      }),
    );
  }
  if (arrival <= departure) {
    problems.push(
      rule('arrival.at', 'arrival_after_departure', 'movement.rule.arrival_after_departure'),
    );
  } else if (arrival - departure > MAX_MOVEMENT_DAYS * 24 * 3600_000) {
    problems.push(
      rule('arrival.at', 'window_too_long', 'movement.rule.window_too_long', {
        days: MAX_MOVEMENT_DAYS,
      }),
    );
  }
  if (n.priority === 'emergency' && (n.emergencyReason ?? '').length < MIN_EMERGENCY_REASON) {
    problems.push(
      rule('emergencyReason', 'emergency_reason', 'movement.rule.emergency_reason', {
        min: MIN_EMERGENCY_REASON,
      }),
    );
  }

  const points: [string, { lat: number; lon: number }][] = [
    ['departure', n.departure],
    ...n.waypoints.map((w, i): [string, { lat: number; lon: number }] => [`waypoints.${i}`, w]),
    ['arrival', n.arrival],
  ];
  for (const [field, point] of points) {
    if (!insideArea(point, settings.area)) {
      problems.push(
        rule(field, 'outside_area', 'movement.rule.outside_area', { ...settings.area }),
      );
    }
  }

  if (
    n.escort.status !== 'none' &&
    (n.escort.justification ?? '').length < MIN_ESCORT_JUSTIFICATION
  ) {
    problems.push(
      rule('escort.justification', 'escort_justification', 'movement.rule.escort_justification', {
        min: MIN_ESCORT_JUSTIFICATION,
      }),
    );
  }
  if (n.mode === 'road' && n.vehicles.length === 0) {
    problems.push(rule('vehicles', 'vehicles_required', 'movement.rule.vehicles_required'));
  }
  if (n.personnel.national + n.personnel.international < 1) {
    problems.push(rule('personnel', 'personnel_required', 'movement.rule.personnel_required'));
  }
  if (n.dataAccuracyConfirmed !== true) {
    problems.push(rule('dataAccuracyConfirmed', 'data_accuracy', 'movement.rule.data_accuracy'));
  }
  return problems;
}

export function insideArea(point: { lat: number; lon: number }, area: OperationArea): boolean {
  return (
    point.lon >= area.minLon &&
    point.lon <= area.maxLon &&
    point.lat >= area.minLat &&
    point.lat <= area.maxLat
  );
}

/** The route as WKT (lon lat order), through departure, waypoints and arrival. */
export function routeWkt(n: NotificationData): string {
  const points = [n.departure, ...n.waypoints, n.arrival].map((p) => `${p.lon} ${p.lat}`);
  return `SRID=4326;LINESTRING(${points.join(', ')})`;
}

function rule(
  field: string,
  name: string,
  messageKey: FieldProblem['messageKey'],
  params?: FieldProblem['params'],
): FieldProblem {
  return { field, rule: name, messageKey, params };
}
