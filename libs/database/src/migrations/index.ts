import { InitialSchema1764400000000 } from './1764400000000-initial-schema';

/** Every migration, in order. Listed explicitly so the same list works from source and from dist. */
export const MIGRATIONS = [InitialSchema1764400000000];
