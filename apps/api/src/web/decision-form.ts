import type { Seat } from '@hns/config';
import { wt } from '@hns/i18n';
import { html } from '@hns/mail';
import { DECISIONS, REASON_CODES, describeReason } from '@hns/reviews';
import { z } from 'zod';
import { FormState, errorSummary, fieldId, textarea } from './form-fields';
import { enumLabel } from './format';
import { PageContext, csrfField } from './layout';
import { FormBody, field, fields } from './web-controller';

/** The decision form's fields, shaped as POST /movements/:id/reviews takes them. */
export const decisionFormSchema = z.object({
  version: z.coerce.number().int().min(1),
  decision: z.enum(DECISIONS),
  reasonCodes: z.array(z.enum(REASON_CODES)).max(20),
  comment: z.string().trim().max(2000).optional(),
});

export function decisionInput(body: FormBody) {
  return {
    version: field(body, 'version'),
    decision: field(body, 'decision'),
    reasonCodes: fields(body, 'reasonCodes'),
    comment: field(body, 'comment') || undefined,
  };
}

/** Approve, flag or escalate in two clicks: a choice, reasons when not approving, a comment. */
export function decisionForm(
  ctx: PageContext,
  movementId: string,
  version: number,
  seat: Seat,
  s: FormState,
) {
  const { locale } = ctx;
  const chosen = s.values.decision ?? 'approve';
  const reasons = new Set((s.values.reasonCodes ?? '').split(',').filter(Boolean));
  return html`<section class="decision" aria-labelledby="decision-title">
    <h2 id="decision-title">
      ${wt(locale, 'web.decision.title', { seat: enumLabel('web.seat', seat, locale) })}
    </h2>
    ${errorSummary(s)}
    <form method="post" action="/web/movements/${movementId}/decision">
      ${csrfField(ctx)}
      <input type="hidden" name="version" value="${version}" />
      <fieldset id="${fieldId('decision')}">
        <legend>${wt(locale, 'web.decision.choice')}</legend>
        ${DECISIONS.map(
          (d) =>
            html`<div class="field check">
              <input
                type="radio"
                id="decision-${d}"
                name="decision"
                value="${d}"
                ${d === chosen && html`checked`}
              />
              <label for="decision-${d}">${wt(locale, `web.decision.${d}`)}</label>
            </div>`,
        )}
      </fieldset>
      <fieldset id="${fieldId('reasonCodes')}">
        <legend>${wt(locale, 'web.decision.reasons')}</legend>
        ${REASON_CODES.map(
          (code) =>
            html`<div class="field check">
              <input
                type="checkbox"
                id="reason-${code}"
                name="reasonCodes"
                value="${code}"
                ${reasons.has(code) && html`checked`}
              />
              <label for="reason-${code}">${describeReason(code, locale).label}</label>
            </div>`,
        )}
      </fieldset>
      ${textarea(s, 'comment', wt(locale, 'web.decision.comment'))}
      <button type="submit" class="primary">${wt(locale, 'web.decision.submit')}</button>
    </form>
  </section>`;
}
