import { html, raw } from '@hns/mail';
import type { NotificationData } from '@hns/movements';

/** A shape drawn on a page's map (app.js): GeoJSON geometry, a level for its colour, a label. */
export interface MapShape {
  geometry: unknown;
  level: string;
  label: string;
}

export interface MapData {
  /** [lat, lon] of departure, waypoints and arrival, in order. */
  route?: [number, number][];
  zones?: MapShape[];
  conflicts?: MapShape[];
}

export function routeOf(n: NotificationData): [number, number][] {
  return [n.departure, ...n.waypoints, n.arrival].map((p): [number, number] => [p.lat, p.lon]);
}

/**
 * The map's data as JSON in a non-executed script element. JSON is not HTML: instead of
 * escaping it as text, every "<" is written \u003c so nothing in it can close the element.
 */
export function mapDataScript(id: string, data: MapData) {
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return html`<script type="application/json" id="${id}">
    ${raw(json)}
  </script>`;
}

/** A map container; app.js draws the base layers, then the shapes of `dataId`. */
export function mapBox(layersUrl: string, dataId: string, label: string, mode = 'view') {
  return html`<div
    class="map"
    data-map="${mode}"
    data-layers="${layersUrl}"
    data-source="${dataId}"
    role="region"
    aria-label="${label}"
  ></div>`;
}
