import { StandardSchemaValidationPipe } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ZodType } from 'zod';
import { FieldProblem, ValidationFailedException } from './problems';

/**
 * Validates every @Body/@Query/@Param that declares a `schema` (zod). Zod issues are kept
 * whole (with the offending input's type) so the filter can word them in French or English.
 */
export class SchemaValidationPipe extends StandardSchemaValidationPipe {
  constructor() {
    super({ exceptionFactory: (issues) => new ValidationFailedException(issues.map(toProblem)) });
  }

  protected override validate<T = unknown>(
    value: unknown,
    schema: StandardSchemaV1,
  ): StandardSchemaV1.Result<T> | Promise<StandardSchemaV1.Result<T>> {
    if (isZod(schema)) {
      const result = schema.safeParse(value, { reportInput: true });
      return result.success
        ? { value: result.data as T }
        : { issues: result.error.issues as unknown as StandardSchemaV1.Issue[] };
    }
    return super.validate<T>(value, schema);
  }
}

function isZod(schema: unknown): schema is ZodType {
  return typeof (schema as { safeParse?: unknown }).safeParse === 'function';
}

export function issuePath(
  path: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined,
): string {
  return (path ?? [])
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map(String)
    .join('.');
}

export function toProblem(issue: StandardSchemaV1.Issue): FieldProblem {
  const zodIssue = issue as StandardSchemaV1.Issue & {
    code?: string;
    params?: { rule?: string; messageKey?: FieldProblem['messageKey']; [k: string]: unknown };
    keys?: string[];
  };
  let field = issuePath(issue.path);
  if (zodIssue.code === 'unrecognized_keys' && zodIssue.keys?.length) {
    field = [field, zodIssue.keys[0]].filter(Boolean).join('.');
  }
  const params = zodIssue.params;
  if (zodIssue.code === 'custom' && params?.messageKey) {
    const { rule, messageKey, ...rest } = params;
    return {
      field,
      rule: rule ?? 'custom',
      messageKey,
      params: rest as FieldProblem['params'],
    };
  }
  return { field, rule: zodIssue.code ?? 'invalid', issue };
}
