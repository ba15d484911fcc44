import { Body, Get, HttpException, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Access, Actor, CurrentActor } from '@hns/auth';
import { APP_CONFIG, AppConfig } from '@hns/config';
import { ValidationFailedException, toProblem } from '@hns/http';
import { WebMessageKey, wt } from '@hns/i18n';
import { html } from '@hns/mail';
import { MovementStatus, MovementsService } from '@hns/movements';
import { ReviewQueueItem, ReviewsService } from '@hns/reviews';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { decisionFormSchema, decisionInput } from './decision-form';
import { enumLabel, timeTag, zoneOffsetMinutes } from './format';
import { PageContext } from './layout';
import { MovementDetailPages, uuidParam } from './movement-detail.service';
import { movementTable } from './movement-list.page';
import { FormBody, WebController } from './web-controller';
import { WebPages } from './web-pages.service';

const CELL = { roles: ['cell' as const] };
/** Not yet acknowledged: what OCHA chases when the departure comes close. */
const NOT_ACKNOWLEDGED: MovementStatus[] = ['submitted', 'in_review', 'flagged', 'escalated'];
const DAY = 24 * 3600_000;

/** The queue's conflict counts, most severe first, with the level each one is labelled with. */
const CONFLICT_LEVELS = [
  { key: 'noGo', level: 'no_go' },
  { key: 'caution', level: 'caution' },
] as const;

function queueTable(ctx: PageContext, items: ReviewQueueItem[]) {
  const { locale } = ctx;
  const t = (key: WebMessageKey, params = {}) => wt(locale, key, params);
  if (items.length === 0) return html`<p>${t('web.queue.empty')}</p>`;
  return html`<table class="cards">
    <thead>
      <tr>
        <th scope="col">${t('web.col.reference')}</th>
        <th scope="col">${t('web.col.organisation')}</th>
        <th scope="col">${t('web.col.route')}</th>
        <th scope="col">${t('web.col.departure')}</th>
        <th scope="col">${t('web.col.escort')}</th>
        <th scope="col">${t('web.col.conflicts')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (i) =>
          html`<tr>
            <td data-label="${t('web.col.reference')}">
              <a href="/web/movements/${i.movementId}"
                >${t('web.queue.open', { reference: i.reference })}</a
              >
              <small
                >${enumLabel('web.type', i.type, locale)},
                ${enumLabel('web.priority', i.priority, locale)}</small
              >
            </td>
            <td data-label="${t('web.col.organisation')}">${i.organisation}</td>
            <td data-label="${t('web.col.route')}">${i.route.join(' → ')}</td>
            <td data-label="${t('web.col.departure')}">${timeTag(i.departureAt, locale)}</td>
            <td data-label="${t('web.col.escort')}">
              ${enumLabel('web.escort', i.escortStatus, locale)}
            </td>
            <td data-label="${t('web.col.conflicts')}">
              ${CONFLICT_LEVELS.filter(({ key }) => i.conflicts[key] > 0).map(
                ({ key, level }) =>
                  html`<span class="badge l-${level}"
                    >${t('web.queue.conflicts', {
                      level: enumLabel('web.level', level, locale),
                      count: i.conflicts[key],
                    })}</span
                  > `,
              )}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The cell's pages: each seat's queue, its decisions, and the board of what moves soon. */
@WebController()
export class CellPagesController {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly movements: MovementsService,
    private readonly detail: MovementDetailPages,
    private readonly pages: WebPages,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('queue')
  @Access(CELL)
  async queue(
    @CurrentActor() actor: Actor,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = this.pages.context(req, reply, actor);
    const { seat, items } = await this.reviews.queue(actor, 200);
    const title = wt(ctx.locale, 'web.queue.title', {
      seat: enumLabel('web.seat', seat, ctx.locale),
    });
    return this.pages.send(req, reply, ctx, {
      title,
      main: html`<h1>${title}</h1>
        ${queueTable(ctx, items)}`,
    });
  }

  @Post('movements/:id/decision')
  @Access(CELL)
  async decide(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const movementId = uuidParam(id);
    const input = decisionInput(body);
    try {
      const parsed = decisionFormSchema.safeParse(input, { reportInput: true });
      if (!parsed.success) {
        throw new ValidationFailedException(
          parsed.error.issues.map((i) => toProblem(i as unknown as StandardSchemaV1.Issue)),
        );
      }
      await this.reviews.decide(actor, movementId, parsed.data);
      return this.pages.redirect(reply, '/web/queue?done=decided');
    } catch (error) {
      if (!(error instanceof HttpException) || ![400, 403, 409].includes(error.getStatus())) {
        throw error;
      }
      const { message, errors } = this.pages.problems(error, req, actor.locale);
      const values = {
        ...input,
        reasonCodes: input.reasonCodes.join(','),
        comment: input.comment ?? '',
      };
      const problems = errors.length > 0 ? errors : [{ field: 'decision', message }];
      return this.detail.render(
        req,
        reply,
        actor,
        movementId,
        { values, problems },
        error.getStatus(),
      );
    }
  }

  @Get('board')
  @Access(CELL)
  async board(
    @CurrentActor() actor: Actor,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = this.pages.context(req, reply, actor);
    const now = new Date();
    // "Today" is the operation's calendar day, not the server's.
    const offset = zoneOffsetMinutes(now) * 60_000;
    const dayStart = new Date(Math.floor((now.getTime() + offset) / DAY) * DAY - offset);
    const list = (from: Date, to: Date, status?: MovementStatus[]) =>
      this.movements.list(actor, {
        from: from.toISOString(),
        to: to.toISOString(),
        status,
        limit: 200,
      });
    const overdueHours = this.config.OVERDUE_ALERT_HOURS;
    const [today, week, overdue] = await Promise.all([
      list(dayStart, new Date(dayStart.getTime() + DAY)),
      list(now, new Date(now.getTime() + 7 * DAY)),
      list(now, new Date(now.getTime() + overdueHours * 3600_000), NOT_ACKNOWLEDGED),
    ]);
    const t = (key: WebMessageKey, params = {}) => wt(ctx.locale, key, params);
    const table = (items: typeof today.items) =>
      movementTable(ctx, items, { organisation: true, empty: 'web.board.none' });
    return this.pages.send(req, reply, ctx, {
      title: t('web.board.title'),
      main: html`<h1>${t('web.board.title')}</h1>
        <h2 class="alert">${t('web.board.overdue', { hours: overdueHours })}</h2>
        ${table(overdue.items)}
        <h2>${t('web.board.today')}</h2>
        ${table(today.items)}
        <h2>${t('web.board.week')}</h2>
        ${table(week.items)}`,
    });
  }
}
