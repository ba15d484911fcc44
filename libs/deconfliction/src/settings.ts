/** Injection token of the deconfliction settings. */
export const DECONFLICTION_SETTINGS = Symbol('DECONFLICTION_SETTINGS');

export interface DeconflictionSettings {
  /** How far either side of a route a zone still concerns the movement (DESIGN §5). */
  corridorWidthKm: number;
  /** Planned movements re-checked per transaction when a zone is declared, changed or lifted. */
  zoneRecheckBatchSize: number;
}

/** The settings from the validated configuration (CORRIDOR_WIDTH_KM, ZONE_RECHECK_BATCH_SIZE). */
export function deconflictionSettings(config: {
  CORRIDOR_WIDTH_KM: number;
  ZONE_RECHECK_BATCH_SIZE: number;
}): DeconflictionSettings {
  return {
    corridorWidthKm: config.CORRIDOR_WIDTH_KM,
    zoneRecheckBatchSize: config.ZONE_RECHECK_BATCH_SIZE,
  };
}
