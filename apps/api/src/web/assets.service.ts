import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface Asset {
  /** The URL path, with the content hash in the name: cached for a year, never stale. */
  url: string;
  contentType: string;
  body: Buffer;
  gzip: Buffer;
  brotli: Buffer;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** The files the pages load: Leaflet and htmx as npm ships them, and this folder's assets/. */
const SOURCES: Record<string, () => string> = {
  'leaflet.js': () => require.resolve('leaflet/dist/leaflet.js'),
  'leaflet.css': () => require.resolve('leaflet/dist/leaflet.css'),
  'htmx.js': () => require.resolve('htmx.org/dist/htmx.min.js'),
  // `npm run build` copies assets/ next to the compiled code; tests read it from the source.
  'app.js': () => join(__dirname, 'assets', 'app.js'),
  'app.css': () => join(__dirname, 'assets', 'app.css'),
};

export type AssetName = keyof typeof SOURCES;

/**
 * Static assets, read and compressed once at start-up and kept in memory (a few hundred KB).
 * Each URL carries a hash of its content, so browsers on a satellite link keep it for a year
 * and a new release is fetched at once.
 */
@Injectable()
export class AssetsService {
  private readonly byUrl = new Map<string, Asset>();
  private readonly byName = new Map<string, Asset>();

  constructor() {
    for (const [name, locate] of Object.entries(SOURCES)) {
      this.add(name, readFileSync(locate()));
    }
  }

  /** Registers an asset built at run time (the map layers); returns it. */
  add(name: string, body: Buffer): Asset {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const extension = extname(name);
    const asset: Asset = {
      url: `/web/assets/${name.slice(0, -extension.length)}.${hash}${extension}`,
      contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      body,
      gzip: gzipSync(body, { level: 9 }),
      brotli: brotliCompressSync(body, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
      }),
    };
    const previous = this.byName.get(name);
    if (previous) this.byUrl.delete(previous.url);
    this.byName.set(name, asset);
    this.byUrl.set(asset.url, asset);
    return asset;
  }

  url(name: AssetName): string {
    return this.byName.get(name)!.url;
  }

  find(url: string): Asset | undefined {
    return this.byUrl.get(url);
  }
}
