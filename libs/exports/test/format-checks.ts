import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/*
 * Checks of the export formats for the end-to-end tests (test/exports*.e2e-spec.ts): each
 * returns what it found wrong, so a failing test names the rule.
 */

type Position = number[];

/**
 * The RFC 7946 rules a GeoJSON checker applies to what the exports write: FeatureCollection of
 * Features with geometry and properties, no `crs` (§4), positions of 2 or 3 numbers in range
 * (§3.1.1), LineStrings of 2+ positions, closed rings of 4+ positions, exterior rings
 * counter-clockwise and holes clockwise (§3.1.6). Returns the problems found.
 */
export function checkRfc7946(collection: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (collection.type !== 'FeatureCollection') problems.push('not a FeatureCollection');
  if ('crs' in collection) problems.push('crs member (removed in RFC 7946)');
  const features = collection.features as Record<string, unknown>[];
  if (!Array.isArray(features)) return [...problems, 'features is not an array'];
  const position = (p: Position, where: string) => {
    if (!Array.isArray(p) || p.length < 2 || p.length > 3 || p.some((n) => typeof n !== 'number'))
      problems.push(`${where}: not a position`);
    else if (Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) problems.push(`${where}: out of range`);
  };
  const ring = (r: Position[], where: string, exterior: boolean) => {
    r.forEach((p, i) => position(p, `${where}[${i}]`));
    if (r.length < 4) problems.push(`${where}: ring of fewer than 4 positions`);
    const [first, last] = [r[0], r[r.length - 1]];
    if (first[0] !== last[0] || first[1] !== last[1]) problems.push(`${where}: ring not closed`);
    let area = 0;
    for (let i = 0; i + 1 < r.length; i++) area += r[i][0] * r[i + 1][1] - r[i + 1][0] * r[i][1];
    if (exterior !== area > 0) problems.push(`${where}: breaks the right-hand rule`);
  };
  features.forEach((feature, index) => {
    const where = `features[${index}]`;
    if (feature.type !== 'Feature') problems.push(`${where}: not a Feature`);
    if (!('properties' in feature)) problems.push(`${where}: no properties member`);
    const geometry = feature.geometry as { type: string; coordinates: unknown };
    if (geometry.type === 'LineString') {
      const line = geometry.coordinates as Position[];
      line.forEach((p, i) => position(p, `${where}.coordinates[${i}]`));
      if (line.length < 2) problems.push(`${where}: LineString of fewer than 2 positions`);
    } else if (geometry.type === 'MultiPolygon') {
      (geometry.coordinates as Position[][][]).forEach((polygon, p) =>
        polygon.forEach((r, i) => ring(r, `${where}.coordinates[${p}][${i}]`, i === 0)),
      );
    } else problems.push(`${where}: unexpected ${geometry.type}`);
  });
  return problems;
}

/** Well-formedness and the structure of a KML document (xmllint, when present, goes further). */
export function kmlStructure(kml: string) {
  const problems: string[] = [];
  if (!kml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns=')) {
    problems.push('does not start with the XML declaration and <kml xmlns=…>');
  }
  // No raw markup characters in text: every & starts an entity.
  if (/&(?!(amp|lt|gt|quot|apos);)/.test(kml)) problems.push('a bare & in text');
  const stack: string[] = [];
  for (const [, closing, name, selfClosing] of kml.matchAll(
    /<(\/?)([A-Za-z][\w.-]*)[^>]*?(\/?)>/g,
  )) {
    if (selfClosing) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name) problems.push(`</${name}> closes another element`);
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`);
  return {
    problems,
    namespace: /<kml xmlns="([^"]+)">/.exec(kml)?.[1],
    placemarks: (kml.match(/<Placemark /g) ?? []).length,
    coordinates: [...kml.matchAll(/<coordinates>([^<]*)<\/coordinates>/g)].flatMap((m) =>
      m[1].split(' '),
    ),
  };
}

const SUBSET_XSD = join(__dirname, 'kml22-subset.xsd');

/**
 * Validates with xmllint against the KML 2.2 subset schema; undefined when xmllint is not
 * installed (apt-get install libxml2-utils): kmlStructure's checks still run.
 */
export function xmllint(path: string): string | undefined {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
  } catch {
    console.warn('xmllint not installed: KML checked for structure only');
    return undefined;
  }
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', SUBSET_XSD, path], {
      stdio: 'pipe',
    });
    return 'valid';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  }
}
