import { HttpStatus, PipeTransform } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ZodType, z } from 'zod';
import {
  FieldProblem,
  LocalizedHttpException,
  ValidationFailedException,
  assertStorableStrings,
  issuePath,
  toProblem,
} from '@hns/http';
import type { MessageParams } from '@hns/i18n';
import { DeconflictionMessageKey, bothLanguages } from './messages';

/**
 * A zod issue as a field problem. Issues raised by this library's rules carry their rule and
 * both languages' texts in `params` (see addRuleIssue); the others are worded by the filter.
 * Can go once @hns/http's toProblem reads `params.text` itself.
 */
export function problemOf(issue: z.core.$ZodIssue): FieldProblem {
  const params = (issue as { params?: { rule?: unknown; text?: unknown } }).params;
  if (issue.code === 'custom' && typeof params?.rule === 'string' && isText(params.text)) {
    return { field: issuePath(issue.path), rule: params.rule, text: params.text };
  }
  return toProblem(issue as unknown as StandardSchemaV1.Issue);
}

function isText(value: unknown): value is { fr: string; en: string } {
  const text = value as { fr?: unknown; en?: unknown } | undefined;
  return typeof text?.fr === 'string' && typeof text.en === 'string';
}

/** Validates a body with a zod schema, answering 400 with every problem in both languages. */
export class BodySchemaPipe<T extends ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.output<T> {
    assertStorableStrings(value);
    const result = this.schema.safeParse(value, { reportInput: true });
    if (!result.success) throw new ValidationFailedException(result.error.issues.map(problemOf));
    return result.data;
  }
}

/** A 400 naming one field and the rule it broke. */
export function zoneRule(
  field: string,
  key: DeconflictionMessageKey,
  params: MessageParams = {},
): FieldProblem {
  return { field, rule: key.replace(/^zone\.rule\./, ''), text: bothLanguages(key, params) };
}

/** A refusal other than a 400 (403, 404, 409), worded in both languages. */
export function zoneRefusal(
  status: HttpStatus.FORBIDDEN | HttpStatus.NOT_FOUND | HttpStatus.CONFLICT,
  key: DeconflictionMessageKey,
  params: MessageParams = {},
): LocalizedHttpException {
  const fallback = {
    [HttpStatus.FORBIDDEN]: 'http.forbidden',
    [HttpStatus.NOT_FOUND]: 'http.not_found',
    [HttpStatus.CONFLICT]: 'http.conflict',
  } as const;
  const code = key.replace(/^zone\.rule\./, 'zone_').replace(/\./g, '_');
  return new LocalizedHttpException(
    status,
    fallback[status],
    {},
    code,
    {},
    bothLanguages(key, params),
  );
}
