import type { CellConflictView, NgoConflictView } from '@hns/deconfliction';
import { WebMessageKey, wt } from '@hns/i18n';
import { SafeHtml, html } from '@hns/mail';
import { MovementDetailView, NotificationData, canAmend, canCancel } from '@hns/movements';
import { enumLabel, statusBadge, timeTag } from './format';
import { PageContext, csrfField } from './layout';
import { MapShape, mapBox, mapDataScript, routeOf } from './map-data';
import type { FlagText, SeatReview } from './review-status';

export interface MovementPageData {
  movement: MovementDetailView;
  seats: SeatReview[];
  flags: FlagText[];
  conflicts: (NgoConflictView | CellConflictView)[];
  /** Zones in force (the cell only). */
  zones: MapShape[];
  layersUrl: string;
  /** The decision form, when the signed-in seat has a pending review of this version. */
  decision?: SafeHtml;
}

const isCellView = (c: NgoConflictView | CellConflictView): c is CellConflictView => 'zone' in c;

function conflictItem(ctx: PageContext, c: NgoConflictView | CellConflictView) {
  const { locale } = ctx;
  const parts = html`${timeTag(c.overlap.from, locale)} → ${timeTag(c.overlap.to, locale)}`;
  const level = html`<span class="badge l-${c.level}"
    >${enumLabel('web.level', c.level, locale)}</span
  >`;
  if (isCellView(c)) {
    return html`<li>
      ${level} <strong>${c.zone.name}</strong> — ${c.zone.publicLabel} (${parts})
      ${c.zone.confidentialDetails && html`<br /><em>${wt(locale, 'web.conflict.confidential')}:</em> ${c.zone.confidentialDetails}`}
    </li>`;
  }
  return html`<li>
    ${level} <strong>${c.publicLabel}</strong> (${parts})<br />${c.advice[locale]}
  </li>`;
}

/** The parts given, comma-separated (optional contact fields are often empty). */
const list = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(', ');

function noticeDetails(ctx: PageContext, n: NotificationData) {
  const { locale } = ctx;
  const t = (key: WebMessageKey, params = {}) => wt(locale, key, params);
  const route = [n.departure, ...n.waypoints, n.arrival].map((p) => p.place).join(' → ');
  return html`<dl class="facts">
    <dt>${t('web.col.type')}</dt>
    <dd>
      ${enumLabel('web.type', n.type, locale)}, ${enumLabel('web.priority', n.priority, locale)}
      ${n.emergencyReason && html`— ${n.emergencyReason}`}
    </dd>
    <dt>${t('web.col.route')}</dt>
    <dd>${route}</dd>
    <dt>${t('web.detail.window')}</dt>
    <dd>${timeTag(n.departure.at, locale)} → ${timeTag(n.arrival.at, locale)}</dd>
    <dt>${t('web.form.purpose')}</dt>
    <dd class="pre">${n.purpose}</dd>
    <dt>${t('web.form.focal_point')}</dt>
    <dd>
      ${list(n.focalPoint.name, n.focalPoint.phone, n.focalPoint.satPhone, n.focalPoint.email)}
    </dd>
    <dt>${t('web.form.convoy_leader')}</dt>
    <dd>${list(n.convoyLeader.name, n.convoyLeader.phone, n.convoyLeader.callSign)}</dd>
    <dt>${t('web.detail.vehicles')}</dt>
    <dd>
      ${n.vehicles.map((v) => html`${v.type} ${v.plate} ${v.markings && html`(${v.markings})`}<br />`)}
    </dd>
    <dt>${t('web.detail.cargo')}</dt>
    <dd>
      ${n.cargo.map((c) => html`${enumLabel('web.cargo', c.category, locale)}: ${c.description}, ${c.tonnes} t<br />`)}
    </dd>
    <dt>${t('web.form.section.people')}</dt>
    <dd>
      ${t('web.detail.people', { national: n.personnel.national, international: n.personnel.international })}
    </dd>
    <dt>${t('web.form.escort_status')}</dt>
    <dd>
      ${enumLabel('web.escort', n.escort.status, locale)} ${n.escort.provider}
      ${n.escort.justification && html`— ${n.escort.justification}`}
    </dd>
    <dt>${t('web.form.section.comms')}</dt>
    <dd>
      ${list(n.communications.vhfChannel, n.communications.radioRoom, n.communications.satPhone) || '—'}
    </dd>
    <dt>${t('web.form.verified_by')}</dt>
    <dd>${n.verifiedBy}</dd>
  </dl>`;
}

/** What the organisation can do now, each a form of its own (CSRF-protected). */
function ngoActions(ctx: PageContext, m: MovementDetailView) {
  const { locale } = ctx;
  const t = (key: WebMessageKey) => wt(locale, key);
  const post = (action: string, label: string) =>
    html`<form method="post" action="/web/movements/${m.id}/${action}" class="inline">
      ${csrfField(ctx)}<button type="submit" class="primary">${label}</button>
    </form>`;
  return html`<div class="actions">
    ${m.status === 'acknowledged' && post('depart', t('web.detail.depart'))}
    ${m.status === 'in_progress' && post('arrive', t('web.detail.arrive'))}
    ${canAmend(m.status) && html`<a class="button" href="/web/movements/${m.id}/amend">${t('web.detail.amend')}</a>`}
    ${
      canCancel(m.status) &&
      html`<details class="cancel">
        <summary>${t('web.detail.cancel')}</summary>
        <form method="post" action="/web/movements/${m.id}/cancel">
          ${csrfField(ctx)}
          <label for="cancel-reason">${t('web.detail.cancel_reason')}</label>
          <textarea id="cancel-reason" name="reason" rows="2" required></textarea>
          <button type="submit" class="danger">${t('web.detail.cancel')}</button>
        </form>
      </details>`
    }
  </div>`;
}

function seatList(ctx: PageContext, seats: SeatReview[]) {
  const { locale, actor } = ctx;
  const cell = actor?.role === 'cell';
  return html`<ul class="seats">
    ${seats.map((s) => {
      // The organisation is told of no objection, never of an "approval" (DESIGN §1.1).
      const status = !cell && s.status === 'approved' ? 'cleared' : s.status;
      return html`<li>
        ${enumLabel('web.seat', s.seat, locale)}:
        <span class="badge r-${status}">${enumLabel('web.review', status, locale)}</span>
      </li>`;
    })}
  </ul>`;
}

export function movementPage(ctx: PageContext, d: MovementPageData) {
  const { locale, actor } = ctx;
  const m = d.movement;
  const t = (key: WebMessageKey, params = {}) => wt(locale, key, params);
  const conflictShapes: MapShape[] = d.conflicts.flatMap((c) => [
    {
      geometry: c.routePart,
      level: `${c.level} conflict`,
      label: isCellView(c) ? c.zone.name : c.publicLabel,
    },
    ...(isCellView(c) || !c.zoneGeometry
      ? []
      : [{ geometry: c.zoneGeometry, level: c.level, label: c.publicLabel }]),
  ]);
  return html`<h1>${t('web.detail.title', { reference: m.reference })}</h1>
    <p class="lead">
      ${statusBadge(m.status, locale)} ${t('web.detail.version', { version: m.version })} ·
      ${m.organisation.acronym} ·
      ${[m.departure, ...m.waypoints, m.arrival].map((p) => p.place).join(' → ')}
    </p>
    ${m.cancellationReason && html`<p>${t('web.detail.cancelled', { reason: m.cancellationReason })}</p>`}
    ${
      actor?.role === 'ngo' &&
      html`<p><strong>${t('web.detail.next_step')}:</strong> ${t(`web.next.${m.status}`)}</p>
        ${ngoActions(ctx, m)}`
    }
    <div class="columns">
      <section>
        ${d.decision}
        <h2>${t('web.detail.flags')}</h2>
        ${
          d.flags.length === 0
            ? html`<p>${t('web.detail.no_flags')}</p>`
            : html`<ul class="flags">
                ${d.flags.map((f) => html`<li><strong>${f.label}</strong><br />${f.hint}${f.comment && html`<br /><q>${f.comment}</q>`}</li>`)}
              </ul>`
        }
        <h2>${t('web.detail.conflicts')}</h2>
        ${
          d.conflicts.length === 0
            ? html`<p>${t('web.detail.no_conflicts')}</p>`
            : html`<ul class="conflicts">
                ${d.conflicts.map((c) => conflictItem(ctx, c))}
              </ul>`
        }
        <h2>${t('web.detail.reviews')}</h2>
        ${seatList(ctx, d.seats)}
      </section>
      <section>
        <h2>${t('web.detail.map')}</h2>
        ${mapBox(d.layersUrl, 'movement-map', t('web.detail.map'))}
        ${mapDataScript('movement-map', { route: routeOf(m), zones: d.zones, conflicts: conflictShapes })}
      </section>
    </div>
    <h2>${t('web.detail.notice')}</h2>
    ${noticeDetails(ctx, m)}
    <h2>${t('web.detail.versions')}</h2>
    <ul class="versions">
      ${m.versions.map(
        (v) =>
          html`<li>
            <details>
              <summary>
                ${t('web.detail.version_line', { version: v.version, at: '' })}${timeTag(v.createdAt, locale)}${v.changeNote && html` — ${v.changeNote}`}
              </summary>
              ${noticeDetails(ctx, v.notification)}
            </details>
          </li>`,
      )}
    </ul>`;
}
