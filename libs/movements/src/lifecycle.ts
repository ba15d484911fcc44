import type { MovementStatus } from './notification.schema';

/** Statuses after which nothing about the movement changes any more (DESIGN §4). */
export const FINAL_STATUSES: readonly MovementStatus[] = ['completed', 'cancelled', 'expired'];

/** An organisation may amend its movement until it is completed, cancelled or expired. */
export function canAmend(status: MovementStatus): boolean {
  return !FINAL_STATUSES.includes(status);
}

/** Any state before completion may be cancelled by the organisation. */
export function canCancel(status: MovementStatus): boolean {
  return !FINAL_STATUSES.includes(status);
}
