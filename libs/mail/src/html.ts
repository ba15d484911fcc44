const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/** A fragment that is already HTML: interpolated as is, never escaped again. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

/**
 * Marks trusted markup (e.g. a fragment built by `html` elsewhere, or a constant) as safe.
 * Never pass user or database text through it.
 */
export function raw(fragment: string): SafeHtml {
  return new SafeHtml(fragment);
}

/**
 * The one HTML renderer of the project: every interpolated value is escaped unless it is a
 * SafeHtml; arrays are rendered item by item and joined; null, undefined and false render
 * nothing, so `${condition && html`...`}` works. Quote every attribute (`href="${url}"`):
 * escaping protects quoted attributes only, and does not vet a URL's scheme.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + strings[i + 1];
  }
  return new SafeHtml(out);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}
