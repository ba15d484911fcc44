import { Injectable, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Actor } from '@hns/auth';
import { ConflictsService, ZonesService } from '@hns/deconfliction';
import { wt } from '@hns/i18n';
import { MovementsService } from '@hns/movements';
import { decisionForm } from './decision-form';
import { formState } from './form-fields';
import { enumLabel } from './format';
import { MapLayersService } from './map-layers.service';
import { movementPage } from './movement-detail.page';
import { ReviewStatusReader } from './review-status';
import { WebPages } from './web-pages.service';

/** A movement id from a URL: anything but a UUID is a page that does not exist. */
export function uuidParam(id: string): string {
  if (!z.uuid().safeParse(id).success) throw new NotFoundException();
  return id;
}

export interface DecisionRetry {
  values: Record<string, string>;
  problems: { field: string; message: string }[];
}

/**
 * The movement page, for the organisation (its own movement only: MovementsService and
 * ConflictsService answer 404 otherwise) and for the cell (with every zone and the decision).
 */
@Injectable()
export class MovementDetailPages {
  constructor(
    private readonly movements: MovementsService,
    private readonly conflicts: ConflictsService,
    private readonly zones: ZonesService,
    private readonly reviewStatus: ReviewStatusReader,
    private readonly layers: MapLayersService,
    private readonly pages: WebPages,
  ) {}

  async render(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    id: string,
    retry?: DecisionRetry,
    status = 200,
  ) {
    const movement = await this.movements.get(actor, id);
    const ctx = this.pages.context(req, reply, actor);
    const [conflicts, seats, flags, zones, layersUrl] = await Promise.all([
      this.conflicts.forMovement(actor, id),
      this.reviewStatus.seats(id, movement.version),
      this.reviewStatus.flags(id, movement.version, ctx.locale),
      actor.role === 'cell'
        ? this.zones.list(actor, { state: 'current', limit: 200 })
        : Promise.resolve({ items: [] }),
      this.layers.url(),
    ]);
    const seat = actor.role === 'cell' ? actor.seat : null;
    const pending = seat && seats.some((s) => s.seat === seat && s.status === 'pending');
    const decision =
      seat && (pending || retry)
        ? decisionForm(
            ctx,
            movement.id,
            movement.version,
            seat,
            formState(ctx.locale, retry?.values, retry?.problems),
          )
        : undefined;
    const title = wt(ctx.locale, 'web.detail.title', { reference: movement.reference });
    return this.pages.send(
      req,
      reply,
      ctx,
      {
        title,
        map: true,
        main: movementPage(ctx, {
          movement,
          seats,
          flags,
          conflicts: conflicts.conflicts,
          zones: zones.items.map((z) => ({
            geometry: z.geometry,
            level: z.level,
            label: `${z.name} — ${z.publicLabel} (${enumLabel('web.level', z.level, ctx.locale)})`,
          })),
          layersUrl,
          decision,
        }),
      },
      status,
    );
  }
}
