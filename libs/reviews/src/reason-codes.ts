import type { Locale } from '../../i18n/src/locale';
import { type ReviewMessageKey, reviewText } from './messages';

/**
 * Why a seat flags or escalates a movement. Each code has a label and a hint saying what to
 * change, in French and English, worded for the organisation: restricted-zone details stay
 * with the cell (DESIGN §1.5).
 */
export const REASON_CODES = [
  'route_through_restricted_area',
  'security_threat_on_route',
  'impassable_road',
  'incomplete_route',
  'insufficient_lead_time',
  'missing_vehicle_markings',
  'escort_not_justified',
  'unclear_cargo',
  'contact_unreachable',
  'other',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number] | SystemReasonCode;

/** Reasons the system itself gives (automatic escalations, UNDSS advice); not a seat's choice. */
export const SYSTEM_REASON_CODES = [
  'escort_requested',
  'emergency_short_notice',
  'undss_advise_reroute',
  'undss_advise_postpone',
  'undss_advise_cancel',
] as const;
export type SystemReasonCode = (typeof SYSTEM_REASON_CODES)[number];

// Fails to compile when a code has no label or no hint in the catalogue.
type Described = `review.reason.${ReasonCode}` | `review.reason.${ReasonCode}.hint`;
const _everyCodeDescribed: Exclude<Described, ReviewMessageKey> extends never ? true : false = true;

export function isReasonCode(value: string): value is ReasonCode {
  return ([...REASON_CODES, ...SYSTEM_REASON_CODES] as readonly string[]).includes(value);
}

/** The reason as the organisation reads it: what is wrong and what to change. */
export function describeReason(code: ReasonCode, locale: Locale): { label: string; hint: string } {
  return {
    label: reviewText(locale, `review.reason.${code}`),
    hint: reviewText(locale, `review.reason.${code}.hint`),
  };
}
