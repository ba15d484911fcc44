import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AssetsService } from './assets.service';

/** About 1 km: the regions stay recognisable at country scale and weigh a few kilobytes. */
const SIMPLIFY_DEGREES = 0.01;

/**
 * The base map without a tile server: Mali's outline, its admin1 regions and the gazetteer's
 * places, read once from the gazetteer tables (seeded from libs/gazetteer/data) and served as
 * one hashed, long-cached JSON asset.
 */
@Injectable()
export class MapLayersService {
  private built?: Promise<string>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly assets: AssetsService,
  ) {}

  /** The URL of the layers asset (built on first use). */
  url(): Promise<string> {
    this.built ??= this.build().catch((error: unknown) => {
      this.built = undefined; // a database hiccup must not stick until the next restart
      throw error;
    });
    return this.built;
  }

  private async build(): Promise<string> {
    const [{ outline }]: { outline: unknown }[] = await this.db.query(
      `SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(ST_Union(geom::geometry), $1), 3)::json AS outline
       FROM admin1_regions`,
      [SIMPLIFY_DEGREES],
    );
    const regions: { code: string; name: string; name_fr: string; geometry: unknown }[] =
      await this.db.query(
        `SELECT code, name, name_fr,
                ST_AsGeoJSON(ST_SimplifyPreserveTopology(geom::geometry, $1), 3)::json AS geometry
         FROM admin1_regions ORDER BY code`,
        [SIMPLIFY_DEGREES],
      );
    const places: { name: string; name_fr: string; lat: number; lon: number }[] =
      await this.db.query(
        `SELECT name, name_fr, round(lat::numeric, 3)::float8 AS lat, round(lon::numeric, 3)::float8 AS lon
         FROM places ORDER BY rank NULLS LAST, population DESC NULLS LAST, id`,
      );
    const layers = {
      outline,
      regions: regions.map((r) => ({
        code: r.code,
        name: r.name,
        nameFr: r.name_fr,
        geometry: r.geometry,
      })),
      places: places.map((p) => ({ name: p.name, nameFr: p.name_fr, lat: p.lat, lon: p.lon })),
    };
    return this.assets.add('mali-layers.json', Buffer.from(JSON.stringify(layers))).url;
  }
}
