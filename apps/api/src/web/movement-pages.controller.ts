import { Body, Get, HttpException, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Access, Actor, CurrentActor } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { GazetteerService, normaliseName } from '@hns/gazetteer';
import { ValidationFailedException } from '@hns/http';
import { wt } from '@hns/i18n';
import { html } from '@hns/mail';
import { MovementsService, cancellationSchema, canAmend } from '@hns/movements';
import { ReviewsService } from '@hns/reviews';
import { formState } from './form-fields';
import { MovementDetailPages, uuidParam } from './movement-detail.service';
import {
  FormValues,
  ROWS,
  RowGroup,
  formFieldOf,
  notificationFromForm,
  rowCount,
  valuesFromNotification,
  valuesOf,
} from './movement-form';
import { movementForm } from './movement-form.page';
import { movementTable } from './movement-list.page';
import { MapLayersService } from './map-layers.service';
import { FormBody, WebController, field } from './web-controller';
import { WebPages } from './web-pages.service';

const NGO = { roles: ['ngo' as const] };

/** The organisation's pages: its movements, the notice form, amendments and progress. */
@WebController('web/movements')
export class MovementPagesController {
  constructor(
    private readonly movements: MovementsService,
    private readonly reviews: ReviewsService,
    private readonly gazetteer: GazetteerService,
    private readonly layers: MapLayersService,
    private readonly detail: MovementDetailPages,
    private readonly pages: WebPages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Access(NGO)
  async list(@CurrentActor() actor: Actor, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const ctx = this.pages.context(req, reply, actor);
    const page = await this.movements.list(actor, { limit: 200 });
    const title = wt(ctx.locale, 'web.movements.title');
    return this.pages.send(req, reply, ctx, {
      title,
      main: html`<h1>${title}</h1>
        <p>
          <a class="button primary" href="/web/movements/new"
            >${wt(ctx.locale, 'web.movements.new')}</a
          >
        </p>
        ${movementTable(ctx, page.items, { nextStep: true, empty: 'web.movements.empty' })}`,
    });
  }

  @Get('new')
  @Access(NGO)
  async newForm(
    @CurrentActor() actor: Actor,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const values = { type: 'convoy', priority: 'routine', mode: 'road', 'escort.status': 'none' };
    return this.showForm(req, reply, actor, values, [], { idempotencyKey: randomUUID() });
  }

  @Post()
  @Access(NGO)
  async submit(
    @CurrentActor() actor: Actor,
    @Body() body: FormBody,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const values = valuesOf(body);
    const idempotencyKey = /^[\w-]{8,64}$/.test(field(body, '_idem'))
      ? field(body, '_idem')
      : undefined;
    const more = addRow(values, field(body, '_add'));
    if (more) return this.showForm(req, reply, actor, more, [], { idempotencyKey });
    try {
      const notice = await notificationFromForm(values, this.resolvePlace);
      const { body: created } = await this.movements.submit(
        actor,
        notice,
        idempotencyKey === undefined
          ? undefined
          : {
              key: idempotencyKey,
              method: 'POST',
              path: '/web/movements',
              body: notice,
            },
      );
      return this.pages.redirect(
        reply,
        `/web/movements/${created.id}?done=submitted&ref=${created.reference}`,
      );
    } catch (error) {
      if (!(error instanceof ValidationFailedException)) throw error;
      const problems = this.problemsOf(error, req, actor, values);
      return this.showForm(req, reply, actor, values, problems, { idempotencyKey }, 400);
    }
  }

  @Get(':id')
  @Access({ roles: ['ngo', 'cell'] })
  async show(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    return this.detail.render(req, reply, actor, uuidParam(id));
  }

  @Get(':id/amend')
  @Access(NGO)
  async amendForm(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const movement = await this.movements.get(actor, uuidParam(id));
    if (!canAmend(movement.status))
      return this.pages.redirect(reply, `/web/movements/${movement.id}`);
    const values = {
      ...valuesFromNotification(movement.versions[0].notification),
      version: String(movement.version),
    };
    return this.showForm(req, reply, actor, values, [], {
      amend: { id: movement.id, reference: movement.reference, version: movement.version },
    });
  }

  @Post(':id/amend')
  @Access(NGO)
  async amend(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const movement = await this.movements.get(actor, uuidParam(id));
    const values = valuesOf(body);
    const version = Number(values.version) || movement.version;
    const amend = { id: movement.id, reference: movement.reference, version };
    const more = addRow(values, field(body, '_add'));
    if (more) return this.showForm(req, reply, actor, more, [], { amend });
    try {
      const notice = await notificationFromForm(values, this.resolvePlace);
      await this.movements.amend(actor, movement.id, {
        ...notice,
        version,
        changeNote: values.changeNote || undefined,
      });
      return this.pages.redirect(reply, `/web/movements/${movement.id}?done=amended`);
    } catch (error) {
      if (!(error instanceof HttpException) || ![400, 409].includes(error.getStatus())) throw error;
      const problems = this.problemsOf(error, req, actor, values);
      return this.showForm(req, reply, actor, values, problems, { amend }, error.getStatus());
    }
  }

  @Post(':id/cancel')
  @Access(NGO)
  async cancel(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() reply: FastifyReply,
  ) {
    const parsed = cancellationSchema.safeParse({ reason: field(body, 'reason') });
    if (!parsed.success)
      throw new ValidationFailedException([
        { field: 'reason', rule: 'required', issue: parsed.error.issues[0] },
      ]);
    const movement = await this.movements.cancel(actor, uuidParam(id), parsed.data.reason);
    return this.pages.redirect(reply, `/web/movements/${movement.id}?done=cancelled`);
  }

  @Post(':id/depart')
  @Access(NGO)
  async depart(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() reply: FastifyReply) {
    await this.reviews.reportProgress(actor, uuidParam(id), 'departed');
    return this.pages.redirect(reply, `/web/movements/${id}?done=departed`);
  }

  @Post(':id/arrive')
  @Access(NGO)
  async arrive(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() reply: FastifyReply) {
    await this.reviews.reportProgress(actor, uuidParam(id), 'arrived');
    return this.pages.redirect(reply, `/web/movements/${id}?done=arrived`);
  }

  /** Without script the form sends place names only: the gazetteer's exact match gives the point. */
  private readonly resolvePlace = async (name: string) => {
    const wanted = normaliseName(name);
    const matches = await this.gazetteer.search(name, 5);
    const hit = matches.find(
      (p) => normaliseName(p.name) === wanted || normaliseName(p.nameFr) === wanted,
    );
    return hit && { lat: hit.lat, lon: hit.lon };
  };

  private problemsOf(error: unknown, req: FastifyRequest, actor: Actor, values: FormValues) {
    const toField = formFieldOf(values);
    const { message, errors } = this.pages.problems(error, req, actor.locale);
    if (errors.length === 0) return [{ field: 'version', message }];
    return errors.map((e) => ({ field: toField(e.field), message: e.message }));
  }

  private async showForm(
    req: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    values: FormValues,
    problems: { field: string; message: string }[],
    options: {
      idempotencyKey?: string;
      amend?: { id: string; reference: string; version: number };
    },
    status = 200,
  ) {
    const ctx = this.pages.context(req, reply, actor);
    const title = options.amend
      ? wt(ctx.locale, 'web.form.amend_title', { reference: options.amend.reference })
      : wt(ctx.locale, 'web.form.new_title');
    const form = movementForm(ctx, formState(ctx.locale, values, problems), {
      action: options.amend ? `/web/movements/${options.amend.id}/amend` : '/web/movements',
      leadTimeHours: this.config.LEAD_TIME_HOURS,
      layersUrl: await this.layers.url(),
      idempotencyKey: options.idempotencyKey,
      amend: options.amend,
    });
    return this.pages.send(
      req,
      reply,
      ctx,
      {
        title,
        main: html`<h1>${title}</h1>
          ${form}`,
        map: true,
        htmx: true,
      },
      status,
    );
  }
}

/** The values with one more row of `group`, or undefined when no row was asked for. */
function addRow(values: FormValues, group: string): FormValues | undefined {
  if (!(group in ROWS)) return undefined;
  const rows = group as RowGroup;
  return { ...values, [`${rows}.${rowCount(values, rows)}.${ROWS[rows][0]}`]: '' };
}
