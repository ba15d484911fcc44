import { Controller, UseFilters, UseGuards, applyDecorators } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AcceptsSessionCookie } from '@hns/auth';
import { CsrfGuard } from './csrf.guard';
import { PageErrorFilter } from './page-errors.filter';

/**
 * A controller of pages: signed in by the session cookie, CSRF-checked on every form, errors
 * shown as pages, left out of the API documentation. Each route still declares @Access or
 * @Public, as every route of the API does.
 */
export const WebController = (path = 'web') =>
  applyDecorators(
    Controller(path),
    ApiExcludeController(),
    AcceptsSessionCookie(),
    UseGuards(CsrfGuard),
    UseFilters(PageErrorFilter),
  );

/** A posted form as Fastify parses it: a repeated field is an array. */
export type FormBody = Record<string, string | string[] | undefined>;

/** NUL bytes and lone UTF-16 surrogates: PostgreSQL cannot store them (a 500 otherwise). */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The first value of a field, trimmed ('' when absent), unstorable characters replaced by U+FFFD. */
export function field(body: FormBody | undefined, name: string): string {
  const value = body?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.replace(UNSTORABLE, '\uFFFD').trim() : '';
}

/** Every value of a repeated field (checkboxes). */
export function fields(body: FormBody | undefined, name: string): string[] {
  const value = body?.[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value])
    .filter((v) => typeof v === 'string')
    .map((v) => v.replace(UNSTORABLE, '\uFFFD'));
}

/** Only local paths to come back to: never another site (open redirect). */
export function safeNext(next: string | undefined, fallback = '/web'): string {
  return next && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : fallback;
}
