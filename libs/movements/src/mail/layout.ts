import { SafeHtml, html, raw } from '@hns/mail';

/** The shared shape of every email about a movement: French first, then English, in one message. */
export function bilingualText(fr: string, en: string): string {
  return [fr, '', '— English version below —', '', en].join('\n');
}

export function bilingualDocument(subject: string, fr: SafeHtml, en: SafeHtml): string {
  return html`<!doctype html>
    <html>
      <head>
        <meta charset="utf-8" />
        <title>${subject}</title>
      </head>
      <body style="font-family:sans-serif">
        ${fr} ${raw('<hr>')} ${en}
      </body>
    </html>`.toString();
}

/** A two-column table of label → value, every value escaped. */
export function rowsTable(rows: readonly (readonly string[])[]): SafeHtml {
  return html`<table cellpadding="4" style="border-collapse:collapse">
    ${rows.map(
      ([k, v]) =>
        html`<tr>
          <th align="left">${k}</th>
          <td>${v}</td>
        </tr>`,
    )}
  </table>`;
}
