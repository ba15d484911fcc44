/** Letters that Unicode decomposition leaves whole but a French or English speaker spells out. */
const LIGATURES: Record<string, string> = { œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', ł: 'l', đ: 'd' };

/**
 * A place name as it is searched: lower case, accents stripped, every run of other characters
 * (apostrophes, hyphens, spaces) one space. "Aguel'hoc" → "aguel hoc", "SÉVARÉ" → "sevare".
 * The only characters left are letters, digits and single inner spaces, so the result never
 * holds a LIKE wildcard.
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[œæßøłđ]/g, (letter) => LIGATURES[letter])
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The normalised forms a place is found by: each name with its words spaced and, when it has
 * several words, run together ("nioro du sahel", "niorodusahel"), so that "aguelhoc" and
 * "aguel hoc" both find Aguel'hoc. Distinct, in the order given.
 */
export function searchNames(...names: (string | null | undefined)[]): string[] {
  const variants = new Set<string>();
  for (const name of names) {
    const spaced = normaliseName(name ?? '');
    if (!spaced) continue;
    variants.add(spaced);
    variants.add(spaced.replace(/ /g, ''));
  }
  return [...variants];
}

/** The prefixes a search text is matched with: as typed (normalised), and run together. */
export function searchPrefixes(query: string): string[] {
  const spaced = normaliseName(query);
  if (!spaced) return [];
  const compact = spaced.replace(/ /g, '');
  return compact === spaced ? [spaced] : [spaced, compact];
}
