import { HttpException, HttpStatus } from '@nestjs/common';
import { MessageKey, MessageParams } from '@hns/i18n';

/**
 * One problem with one field of a request: the field's path (e.g. "departure.at"), the rule it
 * broke, and either a catalogue message (key + params) or zod's issue to be localised later.
 */
export interface FieldProblem {
  field: string;
  rule: string;
  messageKey?: MessageKey;
  params?: MessageParams;
  /** A zod issue, localised by the exception filter in the caller's language. */
  issue?: unknown;
  /** Text already written in both languages (from a library's own catalogue). */
  text?: { fr: string; en: string };
}

/** 400 with every field problem; the filter renders it in the caller's language. */
export class ValidationFailedException extends HttpException {
  constructor(readonly problems: FieldProblem[]) {
    super('validation_failed', HttpStatus.BAD_REQUEST);
  }
}

/**
 * An HTTP error whose text comes from the i18n catalogue, so it can be answered in French or
 * English. `code` is a stable machine-readable name clients can switch on.
 */
export class LocalizedHttpException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly messageKey: MessageKey,
    readonly params: MessageParams = {},
    readonly code: string = messageKey,
    readonly headers: Record<string, string> = {},
    readonly text?: { fr: string; en: string },
  ) {
    super(messageKey, status);
  }
}

export const notFound = (key: MessageKey, params?: MessageParams) =>
  new LocalizedHttpException(HttpStatus.NOT_FOUND, key, params);

export const conflict = (key: MessageKey, params?: MessageParams) =>
  new LocalizedHttpException(HttpStatus.CONFLICT, key, params);

export const forbidden = (key: MessageKey = 'http.forbidden', params?: MessageParams) =>
  new LocalizedHttpException(HttpStatus.FORBIDDEN, key, params);

export const unauthorized = (key: MessageKey = 'http.unauthorized') =>
  new LocalizedHttpException(HttpStatus.UNAUTHORIZED, key);

/** A single-field rule violation as a 400. */
export function fieldRule(
  field: string,
  rule: string,
  messageKey: MessageKey,
  params?: MessageParams,
): ValidationFailedException {
  return new ValidationFailedException([{ field, rule, messageKey, params }]);
}
