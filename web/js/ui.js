// Shared components: form fields whose errors come from problem+json pointers, the error summary,
// loading and empty states, and the application-wide context (user, language, banner).
import { html, createContext, useContext, useEffect, useRef } from './lib.js';
import { t, tOr } from './i18n.js';

export const AppContext = createContext(null);
export function useApp() { return useContext(AppContext); }

// "/addresses/0/city" -> "f-addresses-0-city": the id of the control a pointer refers to.
export function fieldId(pointer) {
  return 'f' + pointer.replace(/[^A-Za-z0-9_]+/g, '-');
}

// An API field error in the current language: a translation of its code when there is one.
export function errorText(e) {
  return tOr(`error.code.${e.code}`, e.message);
}

// {pointer: message} from an ApiError's errors (the first message per pointer).
export function errorsByPointer(err) {
  const out = {};
  for (const e of err?.errors || []) {
    const p = e.pointer || '';
    if (!(p in out)) out[p] = errorText(e);
  }
  return out;
}

function describedBy(id, error, hint) {
  const ids = [];
  if (hint) ids.push(`${id}-hint`);
  if (error) ids.push(`${id}-error`);
  return ids.length ? ids.join(' ') : undefined;
}

function FieldMessages({ id, error, hint }) {
  return html`
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`${id}-error`} data-pointer-error=${id}>
      <span aria-hidden="true">⚠ </span>${error}</p>`}`;
}

export function TextField({ pointer, label, value, onInput, error, hint, required, disabled, type = 'text',
  autocomplete, inputmode, maxlength }) {
  const id = fieldId(pointer);
  return html`<div class=${`field${error ? ' has-error' : ''}`}>
    <label for=${id}>${label}${required && html`<span class="req" aria-hidden="true"> *</span>`}</label>
    <input id=${id} name=${pointer} type=${type} value=${value ?? ''} required=${required} disabled=${disabled}
      autocomplete=${autocomplete} inputmode=${inputmode} maxlength=${maxlength}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy(id, error, hint)}
      onInput=${(e) => onInput(e.currentTarget.value)} />
    <${FieldMessages} id=${id} error=${error} hint=${hint} />
  </div>`;
}

export function SelectField({ pointer, label, value, onChange, options, error, hint, required, disabled, empty }) {
  const id = fieldId(pointer);
  return html`<div class=${`field${error ? ' has-error' : ''}`}>
    <label for=${id}>${label}${required && html`<span class="req" aria-hidden="true"> *</span>`}</label>
    <select id=${id} name=${pointer} required=${required} disabled=${disabled}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy(id, error, hint)}
      onChange=${(e) => onChange(e.currentTarget.value)}>
      ${empty !== undefined && html`<option value="">${empty}</option>`}
      ${options.map(([v, text]) => html`<option value=${v} selected=${v === (value ?? '')}>${text}</option>`)}
    </select>
    <${FieldMessages} id=${id} error=${error} hint=${hint} />
  </div>`;
}

// A group of checkboxes with a legend (languages, roles): value is an array of strings.
export function CheckboxGroup({ pointer, legend, value, onChange, options, error, disabled }) {
  const id = fieldId(pointer);
  const set = new Set(value || []);
  const toggle = (v, on) => {
    const next = options.map(([o]) => o).filter((o) => (o === v ? on : set.has(o)));
    onChange(next);
  };
  return html`<fieldset class=${`field checkboxes${error ? ' has-error' : ''}`} id=${id}
      aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? `${id}-error` : undefined}>
    <legend>${legend}</legend>
    ${options.map(([v, text]) => html`<label class="check">
      <input type="checkbox" name=${pointer} value=${v} checked=${set.has(v)} disabled=${disabled}
        onChange=${(e) => toggle(v, e.currentTarget.checked)} /> ${text}</label>`)}
    <${FieldMessages} id=${id} error=${error} />
  </fieldset>`;
}

// The list of a failed submission's problems, each linking to its field; receives focus so a
// keyboard or screen-reader user learns at once what went wrong.
export function ErrorSummary({ title, errors, labels }) {
  const ref = useRef(null);
  useEffect(() => { if (ref.current) ref.current.focus(); }, [errors]);
  const entries = Object.entries(errors || {});
  if (!entries.length) return null;
  return html`<div class="error-summary" role="alert" tabindex="-1" ref=${ref} aria-labelledby="error-summary-title">
    <h2 id="error-summary-title">${title}</h2>
    <ul>${entries.map(([p, msg]) => html`<li>
      <a href=${`#${fieldId(p)}`}>${labels(p)}</a>: ${msg}</li>`)}</ul>
  </div>`;
}

export function Loading({ label }) {
  return html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>
    ${label || t('common.loading')}</p>`;
}

// The failure of loading a page's data: not found (also what a trader sees for another
// organisation), no permission, or a generic failure with the request id for support.
export function LoadError({ error }) {
  if (!error) return null;
  if (error.status === 404) {
    return html`<div class="notice" role="alert"><h2>${t('error.not_found.title')}</h2>
      <p>${t('error.not_found.text')}</p><p><a href="/">${t('common.back_home')}</a></p></div>`;
  }
  if (error.status === 403) {
    return html`<div class="notice" role="alert"><h2>${t('error.forbidden.title')}</h2>
      <p>${t('error.forbidden.text')}</p></div>`;
  }
  return html`<div class="notice" role="alert"><h2>${t('error.failed.title')}</h2>
    <p>${t('error.failed.text')}</p>
    ${error.problem?.request_id && html`<p class="muted">${t('error.request_id', { id: error.problem.request_id })}</p>`}
  </div>`;
}

// Page title: the <h1> receives focus after navigation (tabindex -1) and sets document.title.
export function PageTitle({ children, text }) {
  const ref = useRef(null);
  useEffect(() => {
    document.title = `${text} – customsdesk`;
    if (ref.current && document.activeElement?.closest?.('main') == null) ref.current.focus({ preventScroll: true });
  }, [text]);
  return html`<h1 tabindex="-1" ref=${ref} id="page-title">${children || text}</h1>`;
}
