import { Body, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access, Actor, CurrentActor } from '@hns/auth';
import type { Seat } from '@hns/config';
import {
  ZONE_DECLARING_SEATS,
  ZonesService,
  problemOf,
  zoneDeclarationSchema,
} from '@hns/deconfliction';
import { ValidationFailedException } from '@hns/http';
import { wt } from '@hns/i18n';
import { FormState, formState } from './form-fields';
import { fromLocalInput } from './format';
import { FormValues, valuesOf } from './movement-form';
import { MapLayersService } from './map-layers.service';
import { uuidParam } from './movement-detail.service';
import { zonesPage } from './zones.page';
import { FormBody, WebController, field } from './web-controller';
import { WebPages } from './web-pages.service';

const declaringSeats = { roles: ['cell' as const], seats: [...ZONE_DECLARING_SEATS] };

const canDeclare = (actor: Actor) =>
  (ZONE_DECLARING_SEATS as readonly Seat[]).includes(actor.seat as Seat);

/** A number as typed; a non-number is kept for the schema to name. */
function num(value: string | undefined): number | string | undefined {
  if (!value) return undefined;
  const parsed = Number(value.replace(',', '.'));
  return Number.isFinite(parsed) ? parsed : value;
}

/** The declaration a form describes: a drawn polygon (GeoJSON from app.js) or centre + radius. */
function declarationInput(v: FormValues) {
  let geometry: unknown;
  if (v.geometry) {
    try {
      geometry = JSON.parse(v.geometry);
    } catch {
      geometry = v.geometry; // not JSON: the schema names the field
    }
  }
  const circle = v['center.lat'] || v['center.lon'] || v.radiusKm;
  return {
    name: v.name || undefined,
    publicLabel: v.publicLabel || undefined,
    confidentialDetails: v.confidentialDetails || undefined,
    level: v.level || undefined,
    activeFrom: fromLocalInput(v.activeFrom),
    activeTo: fromLocalInput(v.activeTo),
    shareGeometry: v.shareGeometry === 'true',
    ...(geometry === undefined ? {} : { geometry }),
    ...(circle && geometry === undefined
      ? {
          center: { lat: num(v['center.lat']), lon: num(v['center.lon']) },
          radiusKm: num(v.radiusKm),
        }
      : {}),
  };
}

/** Restricted zones: every seat sees them; the armed forces liaison and UNDSS declare them. */
@WebController('web/zones')
export class ZonePagesController {
  constructor(
    private readonly zones: ZonesService,
    private readonly layers: MapLayersService,
    private readonly pages: WebPages,
  ) {}

  @Get()
  @Access({ roles: ['cell'] })
  async list(@CurrentActor() actor: Actor, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const form = canDeclare(actor) ? formState(actor.locale, { level: 'no_go' }) : undefined;
    return this.show(req, reply, actor, form);
  }

  @Post()
  @Access(declaringSeats)
  async declare(
    @CurrentActor() actor: Actor,
    @Body() body: FormBody,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const values = valuesOf(body);
    try {
      const parsed = zoneDeclarationSchema.safeParse(declarationInput(values), {
        reportInput: true,
      });
      if (!parsed.success) throw new ValidationFailedException(parsed.error.issues.map(problemOf));
      await this.zones.declare(actor, parsed.data);
      return this.pages.redirect(reply, '/web/zones?done=zone_declared');
    } catch (error) {
      if (!(error instanceof ValidationFailedException)) throw error;
      const { errors } = this.pages.problems(error, req, actor.locale);
      // Problems inside the drawn outline ("geometry.coordinates.0") belong to the drawing.
      const problems = errors.map((e) => ({
        field: e.field.startsWith('geometry') ? 'geometry' : e.field,
        message: e.message,
      }));
      return this.show(req, reply, actor, formState(actor.locale, values, problems), 400);
    }
  }

  @Post(':id/lift')
  @Access(declaringSeats)
  async lift(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() reply: FastifyReply,
  ) {
    const reason = field(body, 'reason').slice(0, 2000) || undefined;
    await this.zones.lift(actor, uuidParam(id), reason);
    return this.pages.redirect(reply, '/web/zones?done=zone_lifted');
  }

  private async show(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    form: FormState | undefined,
    status = 200,
  ) {
    const ctx = this.pages.context(req, reply, actor);
    const [{ items }, layersUrl] = await Promise.all([
      this.zones.list(actor, { state: 'current', limit: 200 }),
      this.layers.url(),
    ]);
    return this.pages.send(
      req,
      reply,
      ctx,
      {
        title: wt(ctx.locale, 'web.zones.title'),
        main: zonesPage(ctx, items, layersUrl, form),
        map: true,
      },
      status,
    );
  }
}
