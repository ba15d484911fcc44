import { ArgumentMetadata, StandardSchemaValidationPipe } from '@nestjs/common';
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

  /**
   * A path or query parameter validated on its own (e.g. `@Param('id', { schema })`) has issues
   * without a path: they are named after the parameter, so the answer says which one is wrong.
   * Strings PostgreSQL cannot store (NUL, lone surrogates) are refused here, before any write.
   */
  override async transform<T = unknown>(value: T, metadata: ArgumentMetadata): Promise<T> {
    const hasSchema = Boolean((metadata as { schema?: unknown }).schema);
    const name = metadata.type === 'param' || metadata.type === 'query' ? metadata.data : undefined;
    try {
      if (hasSchema) assertStorableStrings(value);
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof ValidationFailedException && name) {
        for (const problem of error.problems) {
          problem.field = problem.field ? `${name}.${problem.field}` : name;
        }
      }
      throw error;
    }
  }

  /**
   * Nest's pipe deletes `__proto__`, `prototype` and `constructor` keys before validating (against
   * prototype pollution), so a request carrying one passed as if it had not been sent. No schema
   * of the API has such a field: like any other unknown key, it is refused, naming it.
   */
  protected override stripProtoKeys(value: unknown): void {
    const issues = prototypeKeyIssues(value);
    if (issues.length > 0) {
      throw new ValidationFailedException(
        issues.map((issue) => toProblem(issue as unknown as StandardSchemaV1.Issue)),
      );
    }
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

/** A NUL byte, or half of a UTF-16 surrogate pair without its other half. */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Refuses (400, naming the field) any string, or object key, PostgreSQL cannot store in text or
 * jsonb: otherwise the insert fails with a 500 after validation has passed.
 */
export function assertStorableStrings(value: unknown): void {
  // One path array, pushed and popped as the walk goes: a copy is made only for a problem.
  const path: string[] = [];
  let problem: FieldProblem | undefined;
  const refuse = () => {
    problem = {
      field: path.join('.'),
      rule: 'invalid_characters',
      messageKey: 'http.invalid_characters',
    };
  };
  const visit = (node: unknown, depth: number) => {
    if (problem || depth > 200) return;
    if (typeof node === 'string') {
      if (UNSTORABLE.test(node)) refuse();
    } else if (node && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        path.push(key);
        if (UNSTORABLE.test(key)) refuse();
        else visit((node as Record<string, unknown>)[key], depth + 1);
        path.pop();
        if (problem) return;
      }
    }
  };
  visit(value, 0);
  if (problem) throw new ValidationFailedException([problem]);
}

const PROTOTYPE_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** An `unrecognized_keys` issue (as zod words it) for each own key named like a prototype member. */
function prototypeKeyIssues(value: unknown) {
  const issues: { code: 'unrecognized_keys'; keys: string[]; path: string[]; input: unknown }[] =
    [];
  const visited = new WeakSet<object>();
  // One path array, pushed and popped as the walk goes: a copy is made only for an issue.
  const path: string[] = [];
  // Deeper than any schema of the API: validation refuses such a body anyway.
  const visit = (node: unknown, depth: number) => {
    if (!node || typeof node !== 'object' || visited.has(node) || depth > 200) return;
    visited.add(node);
    const keys = Object.keys(node);
    const refused = keys.filter((key) => PROTOTYPE_KEYS.has(key));
    if (refused.length > 0) {
      issues.push({ code: 'unrecognized_keys', keys: refused, path: [...path], input: node });
    }
    for (const key of keys) {
      if (PROTOTYPE_KEYS.has(key)) continue;
      path.push(key);
      visit((node as Record<string, unknown>)[key], depth + 1);
      path.pop();
    }
  };
  visit(value, 0);
  return issues;
}
