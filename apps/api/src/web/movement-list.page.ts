import { WebMessageKey, wt } from '@hns/i18n';
import { html } from '@hns/mail';
import type { MovementSummaryView } from '@hns/movements';
import { enumLabel, statusBadge, timeTag } from './format';
import type { PageContext } from './layout';

/**
 * Movements as a table that becomes a list of cards on a phone (see app.css): each cell
 * carries its column name for the narrow layout.
 */
export function movementTable(
  ctx: PageContext,
  items: MovementSummaryView[],
  options: { organisation?: boolean; nextStep?: boolean; empty: WebMessageKey },
) {
  const { locale } = ctx;
  const t = (key: WebMessageKey) => wt(locale, key);
  if (items.length === 0) return html`<p>${t(options.empty)}</p>`;
  return html`<table class="cards">
    <thead>
      <tr>
        <th scope="col">${t('web.col.reference')}</th>
        ${options.organisation && html`<th scope="col">${t('web.col.organisation')}</th>`}
        <th scope="col">${t('web.col.route')}</th>
        <th scope="col">${t('web.col.departure')}</th>
        <th scope="col">${t('web.col.arrival')}</th>
        <th scope="col">${t('web.col.status')}</th>
        ${options.nextStep && html`<th scope="col">${t('web.col.next_step')}</th>`}
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (m) =>
          html`<tr>
            <td data-label="${t('web.col.reference')}">
              <a href="/web/movements/${m.id}">${m.reference}</a>
              <small>${enumLabel('web.type', m.type, locale)}</small>
            </td>
            ${options.organisation && html`<td data-label="${t('web.col.organisation')}">${m.organisation.acronym}</td>`}
            <td data-label="${t('web.col.route')}">${m.departure.place} → ${m.arrival.place}</td>
            <td data-label="${t('web.col.departure')}">${timeTag(m.departure.at, locale)}</td>
            <td data-label="${t('web.col.arrival')}">${timeTag(m.arrival.at, locale)}</td>
            <td data-label="${t('web.col.status')}">${statusBadge(m.status, locale)}</td>
            ${options.nextStep && html`<td data-label="${t('web.col.next_step')}">${t(`web.next.${m.status}`)}</td>`}
          </tr>`,
      )}
    </tbody>
  </table>`;
}
