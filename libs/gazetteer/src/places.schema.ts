import { z } from 'zod';

/** Longest search text: longer than any Malian place name, short enough to stay cheap. */
export const PLACE_QUERY_MAX = 80;

/** GET /places: `q` is the start of a place name, in French or English, accents optional. */
export const placeSearchQuerySchema = z.strictObject({
  q: z
    .string()
    .trim()
    .min(1)
    .max(PLACE_QUERY_MAX)
    .describe('The start of a place name, French or English; accents and case are ignored'),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export type PlaceSearchQuery = z.output<typeof placeSearchQuerySchema>;
