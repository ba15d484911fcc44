import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isDatabaseUnavailable } from '@hns/database';
import { Locale, MessageKey, negotiateLocale, t } from '@hns/i18n';
import { FieldProblem, LocalizedHttpException, ValidationFailedException } from './problems';

const ZOD_LOCALES = { fr: z.locales.fr(), en: z.locales.en() };

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  errors?: { field: string; rule: string; message: string }[];
}

/**
 * Renders every error as one JSON shape in the caller's language (Accept-Language, French or
 * English): the status, a stable code, a message a person can act on, and per-field problems.
 * Unknown errors become a 500 that leaks nothing; a database outage becomes a 503 with Retry-After.
 */
@Catch()
export class ErrorResponseFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const locale = negotiateLocale(request.headers['accept-language']);
    const { body, headers } = this.render(exception, locale, request);
    if (body.statusCode >= 500) {
      this.logger.error(
        `${request.method} ${request.url} → ${body.statusCode}`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    reply
      .status(body.statusCode)
      .header('content-type', 'application/json; charset=utf-8')
      .send(body);
  }

  render(
    exception: unknown,
    locale: Locale,
    request: FastifyRequest,
  ): { body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof ValidationFailedException) {
      const errors = exception.problems.map((problem) => ({
        field: problem.field,
        rule: problem.rule,
        message: describeProblem(problem, locale),
      }));
      const summary = errors.map((e) => `${e.field || '(body)'}: ${e.message}`).join('; ');
      return {
        body: {
          statusCode: 400,
          error: 'Bad Request',
          code: 'validation_failed',
          message: t(locale, 'http.validation_failed', { count: errors.length, summary }),
          errors,
        },
        headers: {},
      };
    }
    if (exception instanceof LocalizedHttpException) {
      const status = exception.getStatus();
      return {
        body: {
          statusCode: status,
          error: statusText(status),
          code: exception.code,
          message: exception.text?.[locale] ?? t(locale, exception.messageKey, exception.params),
        },
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const key = genericKey(status, request);
      return {
        body: {
          statusCode: status,
          error: statusText(status),
          code: key.replace('http.', ''),
          message: t(locale, key, { method: request.method, path: request.url.split('?')[0] }),
        },
        headers: {},
      };
    }
    const fastifyStatus = (exception as { statusCode?: number }).statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      // Fastify's own errors: body too large, malformed JSON, wrong content type.
      return this.render(new HttpException('', fastifyStatus), locale, request);
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        body: {
          statusCode: 503,
          error: 'Service Unavailable',
          code: 'unavailable',
          message: t(locale, 'http.unavailable'),
        },
        headers: { 'retry-after': '5' },
      };
    }
    return {
      body: {
        statusCode: 500,
        error: 'Internal Server Error',
        code: 'internal',
        message: t(locale, 'http.internal'),
      },
      headers: {},
    };
  }
}

function genericKey(status: number, request: FastifyRequest): MessageKey {
  switch (status) {
    case 400:
      return request.headers['content-type']?.includes('json')
        ? 'http.malformed_json'
        : 'http.bad_request';
    case 401:
      return 'http.unauthorized';
    case 403:
      return 'http.forbidden';
    case 404:
      return 'http.route_not_found';
    case 409:
      return 'http.conflict';
    case 413:
      return 'http.payload_too_large';
    case 415:
      return 'http.unsupported_media_type';
    case 429:
      return 'http.too_many_requests';
    case 503:
      return 'http.unavailable';
    default:
      return status >= 500 ? 'http.internal' : 'http.bad_request';
  }
}

function describeProblem(problem: FieldProblem, locale: Locale): string {
  if (problem.text) return problem.text[locale];
  if (problem.messageKey) return t(locale, problem.messageKey, problem.params);
  if (problem.issue) {
    const issue = problem.issue as Parameters<(typeof ZOD_LOCALES)['en']['localeError']>[0];
    const localized = ZOD_LOCALES[locale].localeError(issue);
    const text = typeof localized === 'string' ? localized : localized?.message;
    if (text) return text;
    return (problem.issue as { message?: string }).message ?? problem.rule;
  }
  return problem.rule;
}

function statusText(status: number): string {
  return (HttpStatus[status] ?? 'Error')
    .toLowerCase()
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
