import { SafeHtml, html } from '@hns/mail';

export { bilingualDocument, bilingualText } from '@hns/mail';

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
