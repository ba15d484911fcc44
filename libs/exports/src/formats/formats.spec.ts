import { rewindPolygons, signedArea } from './geometry';
import { xmlText } from './xml';

describe('zone outlines for GeoJSON and KML', () => {
  const clockwise: [number, number][] = [
    [0, 0],
    [0, 1],
    [1, 1],
    [1, 0],
    [0, 0],
  ];

  it('turns exterior rings counter-clockwise and holes clockwise (RFC 7946 right-hand rule)', () => {
    const hole = [...clockwise].reverse().map(([x, y]): [number, number] => [x / 2, y / 2]);
    const [[outer, inner]] = rewindPolygons([[clockwise, hole]]);
    expect(signedArea(outer)).toBeGreaterThan(0);
    expect(signedArea(inner)).toBeLessThan(0);
    expect(outer[0]).toEqual(outer[outer.length - 1]);
  });
});

describe('XML text', () => {
  it('escapes markup and drops what XML 1.0 forbids', () => {
    expect(xmlText(`Gao <"&'> \u0000\u001b\ud800ok\tend`)).toBe(
      'Gao &lt;&quot;&amp;&apos;&gt; ok\tend',
    );
  });
});
