import { normaliseName, searchNames, searchPrefixes } from './normalise';

describe('normaliseName', () => {
  it.each([
    ['Ségou', 'segou'],
    ['SÉVARÉ', 'sevare'],
    ['Tombouctou', 'tombouctou'],
    ['Djenné', 'djenne'],
    ["Aguel'hoc", 'aguel hoc'],
    ['Nioro du Sahel', 'nioro du sahel'],
    ['  Léré -- ', 'lere'],
    ['Cœur', 'coeur'],
    ['Bafoulabé', 'bafoulabe'],
  ])('%s → %s', (name, normalised) => {
    expect(normaliseName(name)).toBe(normalised);
  });

  it('leaves nothing LIKE would read as a wildcard', () => {
    expect(normaliseName('50%_off\\x')).toBe('50 off x');
  });

  it('reduces punctuation alone to nothing', () => {
    expect(normaliseName("-- ' --")).toBe('');
  });
});

describe('searchNames', () => {
  it('gives each French and English name, spaced and run together, once', () => {
    expect(searchNames('Tombouctou', 'Timbuktu')).toEqual(['tombouctou', 'timbuktu']);
    expect(searchNames('Sévaré', 'Sevare')).toEqual(['sevare']);
    expect(searchNames("Aguel'hoc", 'Aguelhok')).toEqual(['aguel hoc', 'aguelhoc', 'aguelhok']);
  });

  it('skips missing and empty names', () => {
    expect(searchNames(undefined, '', 'Gao', null)).toEqual(['gao']);
  });
});

describe('searchPrefixes', () => {
  it('matches as typed and run together', () => {
    expect(searchPrefixes('SÉV')).toEqual(['sev']);
    expect(searchPrefixes('aguel h')).toEqual(['aguel h', 'aguelh']);
  });

  it('is empty when nothing searchable is left', () => {
    expect(searchPrefixes("'")).toEqual([]);
  });
});
