import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { SEATS } from './env.schema';

export type Seat = (typeof SEATS)[number];

const policySchema = z.object({
  defaultSeats: z.array(z.enum(SEATS)).min(1),
});

export type ReviewPolicy = z.output<typeof policySchema>;

/** Which seats must review a movement (config/review-policy.json; default all four). */
export function loadReviewPolicy(file = resolve('config/review-policy.json')): ReviewPolicy {
  const parsed = policySchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
