import { WebMessageKey, wt } from '@hns/i18n';
import { html } from '@hns/mail';
import { ZONE_LEVELS, ZoneView } from '@hns/deconfliction';
import { FormState, checkbox, errorSummary, input, select, textarea } from './form-fields';
import { OPERATION_TIME_ZONE, enumLabel, timeTag } from './format';
import { PageContext, csrfField } from './layout';
import { mapBox, mapDataScript } from './map-data';

function zoneRow(ctx: PageContext, z: ZoneView, canLift: boolean) {
  const { locale } = ctx;
  const t = (key: WebMessageKey, params = {}) => wt(locale, key, params);
  return html`<tr>
    <td data-label="${t('web.zones.name')}">
      <strong>${z.name}</strong><br />${z.publicLabel}
      ${z.confidentialDetails && html`<br /><small>${z.confidentialDetails}</small>`}
    </td>
    <td data-label="${t('web.col.level')}">
      <span class="badge l-${z.level}">${enumLabel('web.level', z.level, locale)}</span>
    </td>
    <td data-label="${t('web.col.window')}">
      ${timeTag(z.activeFrom, locale)} → ${timeTag(z.activeTo, locale)}
    </td>
    <td data-label="${t('web.col.state')}">
      ${enumLabel('web.zones.state', z.state, locale)} <br /><small
        >${t('web.zones.by', { seat: enumLabel('web.seat', z.declaredBySeat, locale) })}</small
      >
    </td>
    <td data-label="${t('web.col.actions')}">
      ${
        canLift &&
        html`<form method="post" action="/web/zones/${z.id}/lift" class="stack">
          ${csrfField(ctx)}
          <label for="lift-${z.id}">${t('web.zones.lift_reason')}</label>
          <input id="lift-${z.id}" name="reason" />
          <button type="submit" class="danger">${t('web.zones.lift')}</button>
        </form>`
      }
    </td>
  </tr>`;
}

function declareForm(ctx: PageContext, s: FormState) {
  const t = (key: WebMessageKey, params = {}) => wt(s.locale, key, params);
  const levels = ZONE_LEVELS.map((l): [string, string] => [l, enumLabel('web.level', l, s.locale)]);
  return html`<section aria-labelledby="declare-title">
    <h2 id="declare-title">${t('web.zones.declare')}</h2>
    ${errorSummary(s)}
    <form method="post" action="/web/zones" novalidate>
      ${csrfField(ctx)} ${input(s, 'name', t('web.zones.name'), { required: true })}
      ${input(s, 'publicLabel', t('web.zones.public_label'), { required: true })}
      ${textarea(s, 'confidentialDetails', t('web.zones.confidential'))}
      ${select(s, 'level', t('web.zones.level'), levels)}
      <div class="pair">
        ${input(s, 'activeFrom', t('web.zones.active_from', { zone: OPERATION_TIME_ZONE }), { type: 'datetime-local', required: true })}
        ${input(s, 'activeTo', t('web.zones.active_to', { zone: OPERATION_TIME_ZONE }), { type: 'datetime-local', required: true })}
      </div>
      ${checkbox(s, 'shareGeometry', t('web.zones.share'))}
      <fieldset>
        <legend>${t('web.zones.shape')}</legend>
        <p class="hint" id="shape-hint">${t('web.zones.shape_hint')}</p>
        <input type="hidden" name="geometry" id="f-geometry" value="${s.values.geometry ?? ''}" />
        ${s.errors.has('geometry') && html`<p class="field-error">${s.errors.get('geometry')!.join(' ')}</p>`}
        <button type="button" class="secondary" data-draw="clear" hidden>
          ${t('web.zones.clear')}
        </button>
        <div class="pair">
          ${input(s, 'center.lat', t('web.zones.center_lat'), { attrs: html`inputmode="decimal"` })}
          ${input(s, 'center.lon', t('web.zones.center_lon'), { attrs: html`inputmode="decimal"` })}
        </div>
        ${input(s, 'radiusKm', t('web.zones.radius'), { type: 'number', attrs: html`min="0.1" step="0.1"` })}
      </fieldset>
      <button type="submit" class="primary">${t('web.zones.submit')}</button>
    </form>
  </section>`;
}

/** Zones in force on a map, their list, and the declaration form for the declaring seats. */
export function zonesPage(
  ctx: PageContext,
  zones: ZoneView[],
  layersUrl: string,
  form: FormState | undefined,
) {
  const { locale, actor } = ctx;
  const t = (key: WebMessageKey) => wt(locale, key);
  const shapes = zones.map((z) => ({
    geometry: z.geometry,
    level: z.level,
    label: `${z.name} — ${z.publicLabel}`,
  }));
  const canLift = (z: ZoneView) =>
    actor?.seat === z.declaredBySeat && (z.state === 'active' || z.state === 'upcoming');
  return html`<h1>${t('web.zones.title')}</h1>
    <div class="columns">
      <section>
        ${mapBox(layersUrl, 'zones-map', t('web.zones.title'), form ? 'draw' : 'view')}
        ${mapDataScript('zones-map', { zones: shapes })}
      </section>
      ${form && declareForm(ctx, form)}
    </div>
    ${
      zones.length === 0
        ? html`<p>${t('web.zones.empty')}</p>`
        : html`<table class="cards">
            <thead>
              <tr>
                <th scope="col">${t('web.zones.name')}</th>
                <th scope="col">${t('web.col.level')}</th>
                <th scope="col">${t('web.col.window')}</th>
                <th scope="col">${t('web.col.state')}</th>
                <th scope="col">${t('web.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              ${zones.map((z) => zoneRow(ctx, z, canLift(z)))}
            </tbody>
          </table>`
    }`;
}
