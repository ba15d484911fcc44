import { bilingual } from '@hns/i18n';
import { SafeHtml, html, raw } from './html';
import { SinkMessage, SinkMessageSummary } from './mail-sink.store';

/**
 * The pages of GET /dev/mail. Development only, so the texts live here rather than in the
 * catalogue; every heading is French then English, as the cell writes to its partners.
 */
const TEXT = {
  title: 'Courriels de développement / Development mail',
  intro:
    "Courriels captés par la boîte de développement intégrée : ils n'ont pas été envoyés. / " +
    'Mail caught by the embedded development sink: it was not delivered.',
  empty: "Aucun courriel pour l'instant. / No mail yet.",
  date: 'Date',
  from: 'De / From',
  to: 'À / To',
  cc: 'Copie / Cc',
  subject: 'Objet / Subject',
  text: 'Texte / Text',
  html: 'HTML',
  noHtml: 'Pas de partie HTML. / No HTML part.',
  attachments: 'Pièces jointes / Attachments',
  raw: 'Message brut (.eml) / Raw message (.eml)',
  back: '← Tous les courriels / All mail',
};

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}
pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem;border:1px solid #ddd}
iframe{width:100%;height:40rem;border:1px solid #ddd}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}`;

/** The content-security policy of these pages: no script at all, mail HTML only in a sandbox. */
export const DEV_MAIL_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function listPage(messages: SinkMessageSummary[], listPath: string): string {
  const rows = messages.map(
    (m) =>
      html`<tr>
        <td>${formatDate(m.date)}</td>
        <td>${m.from}</td>
        <td>${m.to.join(', ')}</td>
        <td><a href="${listPath}/${m.id}">${m.subject || '—'}</a></td>
      </tr>`,
  );
  const body =
    messages.length === 0
      ? html`<p>${TEXT.empty}</p>`
      : html`<table>
          <thead>
            <tr>
              <th>${TEXT.date}</th>
              <th>${TEXT.from}</th>
              <th>${TEXT.to}</th>
              <th>${TEXT.subject}</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>`;
  return page(
    TEXT.title,
    html`<h1>${TEXT.title}</h1>
      <p>${TEXT.intro}</p>
      ${body}`,
  );
}

export function messagePage(m: SinkMessage, listPath: string): string {
  // Links in the mail open in a new tab; the sandbox keeps its scripts and forms inert.
  const preview =
    m.html === null
      ? html`<p>${TEXT.noHtml}</p>`
      : html`<iframe
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerpolicy="no-referrer"
          title="${m.subject}"
          srcdoc="${'<base target="_blank">' + m.html}"
        ></iframe>`;
  const attachments = m.attachments.map(
    (a) => html`<li>${a.filename || '—'} (${a.contentType}, ${a.size} B)</li>`,
  );
  return page(
    m.subject || m.id,
    html`<p><a href="${listPath}">${TEXT.back}</a></p>
      <h1>${m.subject || '—'}</h1>
      <dl>
        <dt>${TEXT.date}</dt>
        <dd>${formatDate(m.date)}</dd>
        <dt>${TEXT.from}</dt>
        <dd>${m.from}</dd>
        <dt>${TEXT.to}</dt>
        <dd>${m.to.join(', ')}</dd>
        ${
          m.cc.length > 0 &&
          html`<dt>${TEXT.cc}</dt>
            <dd>${m.cc.join(', ')}</dd>`
        }
        <dt>Message-ID</dt>
        <dd>${m.messageId ?? '—'}</dd>
      </dl>
      <p><a href="${listPath}/${m.id}.eml">${TEXT.raw}</a></p>
      ${
        attachments.length > 0 &&
        html`<h2>${TEXT.attachments}</h2>
          <ul>
            ${attachments}
          </ul>`
      }
      <h2>${TEXT.text}</h2>
      <pre>${m.text}</pre>
      <h2>${TEXT.html}</h2>
      ${preview}`,
  );
}

export function notFoundPage(): string {
  const { fr, en } = bilingual('http.not_found');
  return page(
    `${fr} / ${en}`,
    html`<h1 lang="fr">${fr}</h1>
      <p lang="en">${en}</p>`,
  );
}

function page(title: string, content: SafeHtml): string {
  return html`<!doctype html>
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        ${content}
      </body>
    </html>`.toString();
}

function formatDate(date: Date): string {
  return Number.isNaN(date.getTime())
    ? '—'
    : date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}
