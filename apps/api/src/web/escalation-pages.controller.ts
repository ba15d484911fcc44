import { Body, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Access, Actor, CurrentActor } from '@hns/auth';
import { ValidationFailedException } from '@hns/http';
import { WebMessageKey, wt } from '@hns/i18n';
import { html } from '@hns/mail';
import {
  ESCALATION_OUTCOMES,
  EscalationsService,
  describeReason,
  isReasonCode,
} from '@hns/reviews';
import { enumLabel, formatDuration, timeTag } from './format';
import { PageContext, csrfField } from './layout';
import { uuidParam } from './movement-detail.service';
import { FormBody, WebController, field } from './web-controller';
import { WebPages } from './web-pages.service';

const UNDSS = { roles: ['cell' as const], seats: ['undss' as const] };

interface BoardItem {
  id: string;
  movementId: string;
  reference: string;
  version: number;
  severity: string;
  status: 'open' | 'acknowledged';
  raisedBySeat: string | null;
  reasonCodes: string[];
  comment: string | null;
  acknowledgeBy: Date;
  overdue: boolean;
}

/** The deadline, counting down in the browser (app.js) from the server's text. */
function deadline(ctx: PageContext, item: BoardItem) {
  const { locale } = ctx;
  const left = new Date(item.acknowledgeBy).getTime() - Date.now();
  const text =
    left >= 0
      ? wt(locale, 'web.esc.due_in', { time: formatDuration(left) })
      : wt(locale, 'web.esc.overdue', { time: formatDuration(left) });
  return html`${timeTag(item.acknowledgeBy, locale)}<br />
    ${
      item.status === 'open' &&
      html`<strong
        class="countdown ${left < 0 && 'late'}"
        data-deadline="${new Date(item.acknowledgeBy).toISOString()}"
        data-future="${wt(locale, 'web.esc.due_in', { time: '{t}' })}"
        data-past="${wt(locale, 'web.esc.overdue', { time: '{t}' })}"
        >${text}</strong
      >`
    }`;
}

function actions(ctx: PageContext, item: BoardItem) {
  const { locale } = ctx;
  const t = (key: WebMessageKey) => wt(locale, key);
  if (ctx.actor?.seat !== 'undss') return '';
  return html`${
      item.status === 'open' &&
      html`<form method="post" action="/web/escalations/${item.id}/acknowledge">
        ${csrfField(ctx)}<button type="submit" class="primary">${t('web.esc.acknowledge')}</button>
      </form>`
    }
    <form method="post" action="/web/escalations/${item.id}/resolve" class="stack">
      ${csrfField(ctx)}
      <label for="outcome-${item.id}">${t('web.esc.outcome')}</label>
      <select id="outcome-${item.id}" name="outcome">
        ${ESCALATION_OUTCOMES.map((o) => html`<option value="${o}">${enumLabel('web.outcome', o, locale)}</option>`)}
      </select>
      <label for="note-${item.id}">${t('web.esc.note')}</label>
      <textarea id="note-${item.id}" name="note" rows="2"></textarea>
      <button type="submit">${t('web.esc.resolve')}</button>
    </form>`;
}

function boardTable(ctx: PageContext, items: BoardItem[]) {
  const { locale } = ctx;
  const t = (key: WebMessageKey, params = {}) => wt(locale, key, params);
  if (items.length === 0) return html`<p>${t('web.esc.empty')}</p>`;
  return html`<table class="cards">
    <thead>
      <tr>
        <th scope="col">${t('web.col.reference')}</th>
        <th scope="col">${t('web.col.severity')}</th>
        <th scope="col">${t('web.col.deadline')}</th>
        <th scope="col">${t('web.col.status')}</th>
        <th scope="col">${t('web.col.actions')}</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (e) =>
          html`<tr class="${e.overdue && 'late'}">
            <td data-label="${t('web.col.reference')}">
              <a href="/web/movements/${e.movementId}">${e.reference}</a> v${e.version}
              <ul class="reasons">
                ${e.reasonCodes.filter(isReasonCode).map((c) => html`<li>${describeReason(c, locale).label}</li>`)}
              </ul>
              ${e.comment && html`<q>${e.comment}</q>`}
              <small
                >${t('web.esc.raised_by', { who: e.raisedBySeat ? enumLabel('web.seat', e.raisedBySeat, locale) : t('web.esc.automatic') })}</small
              >
            </td>
            <td data-label="${t('web.col.severity')}">
              <span class="badge v-${e.severity}"
                >${enumLabel('web.severity', e.severity, locale)}</span
              >
            </td>
            <td data-label="${t('web.col.deadline')}">${deadline(ctx, e)}</td>
            <td data-label="${t('web.col.status')}">
              ${enumLabel('web.esc.status', e.status, locale)}
            </td>
            <td data-label="${t('web.col.actions')}">${actions(ctx, e)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

const resolutionSchema = z.object({
  outcome: z.enum(ESCALATION_OUTCOMES),
  note: z.string().trim().max(2000).optional(),
});

/** UNDSS's board of security escalations (OCHA reads it too): deadlines, acknowledge, resolve. */
@WebController('web/escalations')
export class EscalationPagesController {
  constructor(
    private readonly escalations: EscalationsService,
    private readonly pages: WebPages,
  ) {}

  @Get()
  @Access({ roles: ['cell'], seats: ['undss', 'ocha'] })
  async board(
    @CurrentActor() actor: Actor,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const ctx = this.pages.context(req, reply, actor);
    const { items } = await this.escalations.board(actor);
    const title = wt(ctx.locale, 'web.esc.title');
    return this.pages.send(req, reply, ctx, {
      title,
      main: html`<h1>${title}</h1>
        ${boardTable(ctx, items as unknown as BoardItem[])}`,
    });
  }

  @Post(':id/acknowledge')
  @Access(UNDSS)
  async acknowledge(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Res() reply: FastifyReply,
  ) {
    await this.escalations.acknowledge(actor, uuidParam(id));
    return this.pages.redirect(reply, '/web/escalations?done=acknowledged');
  }

  @Post(':id/resolve')
  @Access(UNDSS)
  async resolve(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() body: FormBody,
    @Res() reply: FastifyReply,
  ) {
    const parsed = resolutionSchema.safeParse({
      outcome: field(body, 'outcome'),
      note: field(body, 'note') || undefined,
    });
    if (!parsed.success) {
      throw new ValidationFailedException([
        { field: 'outcome', rule: 'invalid', issue: parsed.error.issues[0] },
      ]);
    }
    await this.escalations.resolve(actor, uuidParam(id), parsed.data.outcome, parsed.data.note);
    return this.pages.redirect(reply, '/web/escalations?done=resolved');
  }
}
