import { InitialSchema1764400000000 } from './1764400000000-initial-schema';
import { ReviewWorkflow1764500000000 } from './1764500000000-review-workflow';

/** Every migration, in order. Listed explicitly so the same list works from source and from dist. */
export const MIGRATIONS = [InitialSchema1764400000000, ReviewWorkflow1764500000000];
