import { SafeHtml, html, raw } from './html';

/** The shared shape of every email: French first, then English, in one message. */
export function bilingualText(fr: string, en: string): string {
  return [fr, '', '— English version below —', '', en].join('\n');
}

/** The HTML part of a bilingual email: the French section, a rule, the English section. */
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
