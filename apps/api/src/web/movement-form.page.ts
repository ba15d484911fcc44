import { wt } from '@hns/i18n';
import { html } from '@hns/mail';
import {
  CARGO_CATEGORIES,
  ESCORT_STATUSES,
  MOVEMENT_TYPES,
  PRIORITIES,
  TRANSPORT_MODES,
} from '@hns/movements';
import {
  FormState,
  checkbox,
  errorSummary,
  fieldId,
  groupErrors,
  input,
  select,
  textarea,
} from './form-fields';
import { OPERATION_TIME_ZONE, enumLabel, formatDateTime, zoneOffsetMinutes } from './format';
import { PageContext, csrfField } from './layout';
import { RowGroup, rowCount } from './movement-form';

export interface MovementFormOptions {
  action: string;
  leadTimeHours: number;
  /** The map layers of Mali (MapLayersService). */
  layersUrl: string;
  /** A key generated with the form: posting it twice notifies once (Idempotency-Key). */
  idempotencyKey?: string;
  /** Amending: the version amended (409 when stale) and a note on what changed. */
  amend?: { version: number };
}

const choices = (prefix: string, values: readonly string[], s: FormState) =>
  values.map((v): [string, string] => [v, enumLabel(prefix, v, s.locale)]);

/** A place picker: a name with suggestions from the gazetteer, and its coordinates. */
function placeFields(s: FormState, prefix: string, legend: string, withTime: boolean) {
  const t = (key: Parameters<typeof wt>[1]) => wt(s.locale, key);
  const list = `${fieldId(prefix)}-places`;
  return html`<fieldset class="place" data-place="${prefix}">
    <legend>${legend}</legend>
    ${input(s, `${prefix}.place`, t('web.form.place'), {
      required: withTime,
      attrs: html`list="${list}" autocomplete="off" hx-get="/web/places?from=${prefix}.place"
      hx-trigger="input changed delay:250ms" hx-target="#${list}" hx-swap="innerHTML"`,
    })}
    <datalist id="${list}"></datalist>
    <div class="pair">
      ${input(s, `${prefix}.lat`, t('web.form.lat'), {
        attrs: html`inputmode="decimal" data-coord="lat"`,
      })}
      ${input(s, `${prefix}.lon`, t('web.form.lon'), {
        attrs: html`inputmode="decimal" data-coord="lon"`,
      })}
    </div>
    ${
      withTime &&
      input(s, `${prefix}.at`, wt(s.locale, 'web.form.at', { zone: OPERATION_TIME_ZONE }), {
        type: 'datetime-local',
        required: true,
      })
    }
  </fieldset>`;
}

function rowsOf(s: FormState, group: RowGroup, render: (i: number) => unknown) {
  return [...Array(rowCount(s.values, group)).keys()].map(render);
}

function addButton(group: RowGroup, text: string) {
  // Posts the form back with one more row: works without script, keeps what was typed.
  return html`<button type="submit" name="_add" value="${group}" formnovalidate class="secondary">
    ${text}
  </button>`;
}

export function movementForm(ctx: PageContext, s: FormState, o: MovementFormOptions) {
  const t = (key: Parameters<typeof wt>[1], params = {}) => wt(s.locale, key, params);
  const earliest = formatDateTime(new Date(Date.now() + o.leadTimeHours * 3600_000), s.locale);
  return html`${errorSummary(s)}
    <form
      method="post"
      action="${o.action}"
      class="notice"
      data-lead-hours="${o.leadTimeHours}"
      data-zone-offset="${zoneOffsetMinutes(new Date())}"
      novalidate
    >
      ${csrfField(ctx)}
      ${o.idempotencyKey && html`<input type="hidden" name="_idem" value="${o.idempotencyKey}" />`}
      ${o.amend && html`<input type="hidden" name="version" value="${o.amend.version}" />`}
      <p class="hint">${t('web.form.required_note')}</p>
      <fieldset>
        <legend>${t('web.form.section.movement')}</legend>
        ${select(s, 'type', t('web.form.type'), choices('web.type', MOVEMENT_TYPES, s))}
        ${select(s, 'priority', t('web.form.priority'), choices('web.priority', PRIORITIES, s))}
        ${textarea(s, 'emergencyReason', t('web.form.emergency_reason'))}
        ${select(s, 'mode', t('web.form.mode'), choices('web.mode', TRANSPORT_MODES, s))}
        ${textarea(s, 'purpose', t('web.form.purpose'), { required: true })}
      </fieldset>
      <fieldset>
        <legend>${t('web.form.section.route')}</legend>
        <p class="hint">${t('web.form.place_hint')}</p>
        <p class="hint" id="lead-hint">
          ${t('web.form.lead_time_hint', { hours: o.leadTimeHours, earliest })}
        </p>
        <p class="warning" id="lead-warning" role="status" hidden>
          ${t('web.form.lead_time_warning', { hours: o.leadTimeHours })}
        </p>
        ${placeFields(s, 'departure', t('web.form.departure'), true)}
        ${rowsOf(
          s,
          'waypoints',
          (i) =>
            html`${placeFields(s, `waypoints.${i}`, t('web.form.waypoint', { n: i + 1 }), false)}
            ${checkbox(s, `waypoints.${i}.overnight`, t('web.form.overnight'))}`,
        )}
        ${addButton('waypoints', t('web.form.add_waypoint'))}
        ${placeFields(s, 'arrival', t('web.form.arrival'), true)}
        <div
          class="map small"
          data-map="form"
          role="region"
          aria-label="${t('web.form.map_preview')}"
          data-layers="${o.layersUrl}"
        ></div>
      </fieldset>
      <fieldset>
        <legend>${t('web.form.section.people')}</legend>
        <h3>${t('web.form.focal_point')}</h3>
        ${input(s, 'focalPoint.name', t('web.form.name'), { required: true })}
        ${input(s, 'focalPoint.phone', t('web.form.phone'), { required: true, type: 'tel' })}
        ${input(s, 'focalPoint.satPhone', t('web.form.sat_phone'), { type: 'tel' })}
        ${input(s, 'focalPoint.email', t('web.form.email'), { required: true, type: 'email' })}
        <h3>${t('web.form.convoy_leader')}</h3>
        ${input(s, 'convoyLeader.name', t('web.form.name'), { required: true })}
        ${input(s, 'convoyLeader.phone', t('web.form.phone'), { required: true, type: 'tel' })}
        ${input(s, 'convoyLeader.callSign', t('web.form.call_sign'))} ${groupErrors(s, 'personnel')}
        <div class="pair">
          ${input(s, 'personnel.national', t('web.form.national'), {
            type: 'number',
            attrs: html`min="0" step="1"`,
          })}
          ${input(s, 'personnel.international', t('web.form.international'), {
            type: 'number',
            attrs: html`min="0" step="1"`,
          })}
        </div>
      </fieldset>
      <fieldset>
        <legend>${t('web.form.section.vehicles')}</legend>
        <p class="hint">${t('web.form.rows_hint')}</p>
        ${groupErrors(s, 'vehicles')}
        ${rowsOf(
          s,
          'vehicles',
          (i) =>
            html`<fieldset class="row">
              <legend>${t('web.form.vehicle', { n: i + 1 })}</legend>
              ${input(s, `vehicles.${i}.type`, t('web.form.vehicle_type'))}
              ${input(s, `vehicles.${i}.plate`, t('web.form.plate'))}
              ${input(s, `vehicles.${i}.markings`, t('web.form.markings'))}
            </fieldset>`,
        )}
        ${addButton('vehicles', t('web.form.add_vehicle'))}
        ${rowsOf(
          s,
          'cargo',
          (i) =>
            html`<fieldset class="row">
              <legend>${t('web.form.cargo_line', { n: i + 1 })}</legend>
              ${select(
                s,
                `cargo.${i}.category`,
                t('web.form.category'),
                choices('web.cargo', CARGO_CATEGORIES, s),
              )}
              ${input(s, `cargo.${i}.description`, t('web.form.description'))}
              ${input(s, `cargo.${i}.tonnes`, t('web.form.tonnes'), {
                type: 'number',
                attrs: html`min="0" step="0.1" inputmode="decimal"`,
              })}
            </fieldset>`,
        )}
        ${addButton('cargo', t('web.form.add_cargo'))}
      </fieldset>
      <fieldset>
        <legend>${t('web.form.section.escort')}</legend>
        <p class="hint">${t('web.form.escort_hint')}</p>
        ${select(s, 'escort.status', t('web.form.escort_status'), choices('web.escort', ESCORT_STATUSES, s))}
        ${input(s, 'escort.provider', t('web.form.escort_provider'))}
        ${textarea(s, 'escort.justification', t('web.form.escort_justification'))}
      </fieldset>
      <fieldset>
        <legend>${t('web.form.section.comms')}</legend>
        ${input(s, 'communications.vhfChannel', t('web.form.vhf'))}
        ${input(s, 'communications.radioRoom', t('web.form.radio_room'))}
        ${input(s, 'communications.satPhone', t('web.form.sat_phone'), { type: 'tel' })}
      </fieldset>
      <fieldset>
        <legend>${t('web.form.section.confirm')}</legend>
        ${checkbox(s, 'dataAccuracyConfirmed', t('web.form.data_accuracy'), { required: true })}
        ${input(s, 'verifiedBy', t('web.form.verified_by'), { required: true })}
        ${o.amend && textarea(s, 'changeNote', t('web.form.change_note'))}
      </fieldset>
      <button type="submit" class="primary">
        ${o.amend ? t('web.form.submit_amendment') : t('web.form.submit')}
      </button>
    </form>`;
}
