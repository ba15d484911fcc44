import { Locale, wt } from '@hns/i18n';
import { SafeHtml, html } from '@hns/mail';

/** A form being shown: the values typed, and the problems per field name. */
export interface FormState {
  locale: Locale;
  values: Record<string, string>;
  errors: Map<string, string[]>;
}

export function formState(
  locale: Locale,
  values: Record<string, string> = {},
  problems: { field: string; message: string }[] = [],
): FormState {
  const errors = new Map<string, string[]>();
  for (const p of problems) errors.set(p.field, [...(errors.get(p.field) ?? []), p.message]);
  return { locale, values, errors };
}

/** The id of a field's control ("departure.at" → "f-departure-at"). */
export const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;

interface ControlOptions {
  required?: boolean;
  hint?: string;
  /** Extra attributes, already HTML (constants or html``). */
  attrs?: SafeHtml;
}

function described(state: FormState, name: string, hint?: string) {
  const ids = [hint && `${fieldId(name)}-hint`, state.errors.has(name) && `${fieldId(name)}-error`]
    .filter(Boolean)
    .join(' ');
  return html`${ids && html`aria-describedby="${ids}"`}
  ${state.errors.has(name) && html`aria-invalid="true"`}`;
}

function notes(state: FormState, name: string, hint?: string) {
  const errors = state.errors.get(name);
  return html`${hint && html`<small id="${fieldId(name)}-hint" class="hint">${hint}</small>`}
  ${errors && html`<small id="${fieldId(name)}-error" class="field-error">${errors.join(' ')}</small>`}`;
}

function labelOf(text: string, required?: boolean) {
  return html`${text}${required && html`<abbr title="*" class="req"> *</abbr>`}`;
}

export function input(
  state: FormState,
  name: string,
  label: string,
  options: ControlOptions & { type?: string } = {},
) {
  const id = fieldId(name);
  return html`<div class="field ${state.errors.has(name) && 'has-error'}">
    <label for="${id}">${labelOf(label, options.required)}</label>
    <input
      id="${id}"
      name="${name}"
      type="${options.type ?? 'text'}"
      value="${state.values[name] ?? ''}"
      ${options.required && html`required`}
      ${described(state, name, options.hint)}
      ${options.attrs}
    />
    ${notes(state, name, options.hint)}
  </div>`;
}

export function textarea(
  state: FormState,
  name: string,
  label: string,
  options: ControlOptions = {},
) {
  const id = fieldId(name);
  return html`<div class="field ${state.errors.has(name) && 'has-error'}">
    <label for="${id}">${labelOf(label, options.required)}</label>
    <textarea
      id="${id}"
      name="${name}"
      rows="3"
      ${options.required && html`required`}
      ${described(state, name, options.hint)}
      ${options.attrs}
    >
${state.values[name] ?? ''}</textarea>
    ${notes(state, name, options.hint)}
  </div>`;
}

export function select(
  state: FormState,
  name: string,
  label: string,
  choices: [value: string, text: string][],
  options: ControlOptions = {},
) {
  const id = fieldId(name);
  const current = state.values[name] ?? choices[0]?.[0];
  return html`<div class="field ${state.errors.has(name) && 'has-error'}">
    <label for="${id}">${labelOf(label, options.required)}</label>
    <select id="${id}" name="${name}" ${described(state, name, options.hint)} ${options.attrs}>
      ${choices.map(
        ([value, text]) =>
          html`<option value="${value}" ${value === current && html`selected`}>${text}</option>`,
      )}
    </select>
    ${notes(state, name, options.hint)}
  </div>`;
}

export function checkbox(
  state: FormState,
  name: string,
  label: string,
  options: ControlOptions = {},
) {
  const id = fieldId(name);
  return html`<div class="field check ${state.errors.has(name) && 'has-error'}">
    <input
      id="${id}"
      name="${name}"
      type="checkbox"
      value="true"
      ${state.values[name] === 'true' && html`checked`}
      ${options.required && html`required`}
      ${described(state, name, options.hint)}
      ${options.attrs}
    />
    <label for="${id}">${labelOf(label, options.required)}</label>
    ${notes(state, name, options.hint)}
  </div>`;
}

/** Problems that belong to a group of fields ("vehicles", "personnel"), shown by its legend. */
export function groupErrors(state: FormState, name: string) {
  const errors = state.errors.get(name);
  return errors && html`<p class="field-error" id="${fieldId(name)}">${errors.join(' ')}</p>`;
}

/** Every problem at the top of the form, each linked to its field. */
export function errorSummary(state: FormState): SafeHtml | false {
  if (state.errors.size === 0) return false;
  const count = [...state.errors.values()].reduce((sum, list) => sum + list.length, 0);
  return html`<div class="error-summary" role="alert" tabindex="-1" id="form-errors">
    <p>${wt(state.locale, 'web.error.form', { count })}</p>
    <ul>
      ${[...state.errors].map(
        ([name, messages]) =>
          html`<li><a href="#${fieldId(name)}">${name || '—'}</a>: ${messages.join(' ')}</li>`,
      )}
    </ul>
  </div>`;
}
