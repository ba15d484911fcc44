import { Readable } from 'node:stream';
import type { ExportedMovement, MovementSelection } from './movement-export.source';

export interface DocumentParts {
  head: string;
  item: (m: ExportedMovement) => string;
  /** Between two items, e.g. "," in a JSON array. */
  separator?: string;
  tail: string;
}

/**
 * A document written as it is read: the head, each batch of movements as soon as the database
 * returns it, then the tail. Memory stays at one batch whatever the size of the export.
 */
export function streamDocument(selection: MovementSelection, parts: DocumentParts): Readable {
  return Readable.from(
    (async function* () {
      yield parts.head;
      let first = true;
      for await (const batch of selection.batches()) {
        if (batch.length === 0) continue;
        yield (
          (first ? '' : (parts.separator ?? '')) + batch.map(parts.item).join(parts.separator ?? '')
        );
        first = false;
      }
      yield parts.tail;
    })(),
  );
}

/** Response headers that say how many movements the export holds and whether it was cut. */
export function selectionHeaders(selection: MovementSelection): Record<string, string> {
  return {
    'x-export-count': String(selection.count),
    'x-export-limit': String(selection.limit),
    'x-export-truncated': String(selection.truncated),
  };
}
