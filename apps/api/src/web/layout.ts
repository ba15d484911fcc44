import type { Actor } from '@hns/auth';
import { Locale, wt } from '@hns/i18n';
import { SafeHtml, html } from '@hns/mail';
import type { AssetsService } from './assets.service';
import { OPERATION_TIME_ZONE, enumLabel, offsetLabel } from './format';
import { CSRF_FIELD } from './session';

/** What every page needs to know about the request it answers. */
export interface PageContext {
  locale: Locale;
  actor?: Actor;
  csrf: string;
  /** The path and query of this page, to come back to after switching language. */
  path: string;
  mailSink: boolean;
  assets: AssetsService;
  /** A one-line confirmation of what was just done (from `?done=`). */
  flash?: string;
}

export interface PageOptions {
  title: string;
  main: SafeHtml;
  /** Loads Leaflet (map pages only: it is most of the weight of a page). */
  map?: boolean;
  /** Loads htmx (place suggestions, boards that refresh themselves). */
  htmx?: boolean;
}

/** The hidden field every form of the pages carries. */
export function csrfField(ctx: PageContext) {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf}" />`;
}

function navLinks(ctx: PageContext): SafeHtml[] {
  const { actor, locale } = ctx;
  const links: [string, string][] = [];
  if (actor?.role === 'ngo') {
    links.push(['/web/movements', wt(locale, 'web.nav.my_movements')]);
    links.push(['/web/movements/new', wt(locale, 'web.nav.new_movement')]);
  }
  if (actor?.role === 'cell') {
    links.push(['/web/queue', wt(locale, 'web.nav.queue')]);
    links.push(['/web/zones', wt(locale, 'web.nav.zones')]);
    if (actor.seat === 'undss' || actor.seat === 'ocha') {
      links.push(['/web/escalations', wt(locale, 'web.nav.escalations')]);
    }
    links.push(['/web/board', wt(locale, 'web.nav.board')]);
  }
  if (ctx.mailSink) links.push(['/dev/mail', wt(locale, 'web.nav.mail')]);
  const current = ctx.path.split('?')[0];
  return links.map(
    ([href, text]) =>
      html`<li><a href="${href}" ${href === current && html`aria-current="page"`}>${text}</a></li>`,
  );
}

function who(actor: Actor, locale: Locale): string {
  const role = actor.seat
    ? enumLabel('web.seat', actor.seat, locale)
    : enumLabel('web.role', actor.role, locale);
  return `${actor.email} (${role})`;
}

function header(ctx: PageContext): SafeHtml {
  const { locale, actor } = ctx;
  const other: Locale = locale === 'fr' ? 'en' : 'fr';
  return html`<header class="top">
    <a class="brand" href="/web">${wt(locale, 'web.app_name')}</a>
    <nav aria-label="${wt(locale, 'web.nav.label')}">
      <ul>
        ${navLinks(ctx)}
      </ul>
    </nav>
    <div class="account">
      ${actor && html`<span class="who">${wt(locale, 'web.signed_in_as', { who: who(actor, locale) })}</span>`}
      <form method="post" action="/web/locale" class="inline">
        ${csrfField(ctx)}
        <input type="hidden" name="locale" value="${other}" />
        <input type="hidden" name="next" value="${ctx.path}" />
        <button type="submit" lang="${other}">${wt(locale, 'web.lang.other')}</button>
      </form>
      ${
        actor &&
        html`<form method="post" action="/web/sign-out" class="inline">
          ${csrfField(ctx)}
          <button type="submit">${wt(locale, 'web.nav.sign_out')}</button>
        </form>`
      }
    </div>
  </header>`;
}

/** The whole document around a page's main content. */
export function layout(ctx: PageContext, options: PageOptions): string {
  const { locale, assets } = ctx;
  return html`<!doctype html>
    <html lang="${locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <meta name="htmx-config" content='{"includeIndicatorStyles":false}' />
        <title>${options.title} · ${wt(locale, 'web.app_name')}</title>
        ${options.map && html`<link rel="stylesheet" href="${assets.url('leaflet.css')}" />`}
        <link rel="stylesheet" href="${assets.url('app.css')}" />
      </head>
      <body>
        <a class="skip" href="#main">${wt(locale, 'web.skip')}</a>
        ${header(ctx)}
        <main id="main">
          ${ctx.flash && html`<p class="flash" role="status">${ctx.flash}</p>`} ${options.main}
        </main>
        <footer>
          <p>
            ${wt(locale, 'web.time_zone_note', {
              zone: OPERATION_TIME_ZONE,
              offset: offsetLabel(),
            })}
          </p>
          <p>${wt(locale, 'web.disclaimer')}</p>
        </footer>
        ${options.htmx && html`<script src="${assets.url('htmx.js')}" defer></script>`}
        ${options.map && html`<script src="${assets.url('leaflet.js')}" defer></script>`}
        <script src="${assets.url('app.js')}" defer></script>
      </body>
    </html>`.toString();
}
