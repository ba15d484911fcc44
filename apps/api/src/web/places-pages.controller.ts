import { Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access, Actor, CurrentActor } from '@hns/auth';
import { GazetteerService, placeSearchQuerySchema } from '@hns/gazetteer';
import { html } from '@hns/mail';
import { sendCompressed } from './send';
import { WebController } from './web-controller';

/** The place fields of the notice form, whose value htmx sends under the field's own name. */
const PLACE_FIELD = /^(departure|arrival|waypoints\.\d{1,2})\.place$/;

/**
 * Place suggestions for the notice form: the <option>s of a <datalist>, fetched by htmx as the
 * user types (the same gazetteer search as GET /places). Each carries its coordinates for
 * app.js to fill in.
 */
@WebController('web/places')
export class PlacesPagesController {
  constructor(private readonly gazetteer: GazetteerService) {}

  @Get()
  @Access({ roles: ['ngo', 'cell'] })
  async suggest(
    @CurrentActor() actor: Actor,
    @Query() query: Record<string, string | undefined>,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const from = query.from && PLACE_FIELD.test(query.from) ? query.from : 'q';
    const parsed = placeSearchQuerySchema.safeParse({ q: query[from] ?? '', limit: 8 });
    const places = parsed.success ? await this.gazetteer.search(parsed.data.q, 8) : [];
    const fr = actor.locale === 'fr';
    const options = places.map((p) => {
      const name = fr ? p.nameFr : p.name;
      const region = p.admin1 && (fr ? p.admin1.nameFr : p.admin1.name);
      return html`<option value="${name}" data-lat="${p.lat}" data-lon="${p.lon}">
        ${name}${region && html` (${region})`}
      </option>`;
    });
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'private, max-age=3600')
      .header('x-content-type-options', 'nosniff');
    return sendCompressed(req, reply, Buffer.from(html`${options}`.toString()));
  }
}
