// The trader portal's "new request": choose the request type, then fill in its e-form, which is
// rendered from the type's current form definition (GET /servicedesk/request-types): field types
// text, textarea, number, date, select, multiselect, checkbox and email, required marks, allowed
// values, help texts and labels in the UI language. The server validates (422 with pointers
// /form/<key>, /subject, /body), and each error is shown at its field and in the summary.
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, language } from '../i18n.js';
import { navigate } from '../router.js';
import { useApp, Loading, LoadError, PageTitle, TextField, SelectField, ErrorSummary, errorsByPointer, fieldId } from '../ui.js';
import { loadRequestTypes, localized } from './sd_common.js';

function describedBy(id, error, hint) {
  const ids = [];
  if (hint) ids.push(`${id}-hint`);
  if (error) ids.push(`${id}-error`);
  return ids.length ? ids.join(' ') : undefined;
}

function Messages({ id, error, hint }) {
  return html`${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
    ${error && html`<p class="field-error" id=${`${id}-error`}><span aria-hidden="true">⚠ </span>${error}</p>`}`;
}

// One e-form field from its definition; `value` is the form's value for field.key.
export function EFormField({ field, value, onChange, error }) {
  const pointer = `/form/${field.key}`;
  const id = fieldId(pointer);
  const label = localized(field.label, field.key);
  const hint = field.help ? localized(field.help) : undefined;
  const placeholder = field.placeholder ? localized(field.placeholder) : undefined;
  const req = field.required ? html`<span class="req" aria-hidden="true"> *</span>` : null;
  const common = { id, name: pointer, required: Boolean(field.required), 'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': describedBy(id, error, hint) };
  const options = field.options || [];
  switch (field.type) {
    case 'textarea':
      return html`<div class=${`field${error ? ' has-error' : ''}`} data-field=${field.key}>
        <label for=${id}>${label}${req}</label>
        <textarea ...${common} rows="4" maxlength=${field.max_length} placeholder=${placeholder} value=${value ?? ''}
          onInput=${(e) => onChange(e.currentTarget.value)}></textarea>
        <${Messages} id=${id} error=${error} hint=${hint} /></div>`;
    case 'select':
      return html`<div class=${`field${error ? ' has-error' : ''}`} data-field=${field.key}>
        <label for=${id}>${label}${req}</label>
        <select ...${common} onChange=${(e) => onChange(e.currentTarget.value)}>
          <option value="">${t('common.choose')}</option>
          ${options.map((o) => html`<option value=${o.value} selected=${o.value === value}>${localized(o.label, o.value)}</option>`)}
        </select>
        <${Messages} id=${id} error=${error} hint=${hint} /></div>`;
    case 'multiselect': {
      const set = new Set(value || []);
      return html`<fieldset class=${`field checkboxes${error ? ' has-error' : ''}`} id=${id} data-field=${field.key}
          aria-invalid=${error ? 'true' : undefined} aria-describedby=${describedBy(id, error, hint)}>
        <legend>${label}${req}</legend>
        ${options.map((o) => html`<label class="check"><input type="checkbox" name=${pointer} value=${o.value}
          checked=${set.has(o.value)} onChange=${(e) => onChange(options.map((x) => x.value)
            .filter((v) => (v === o.value ? e.currentTarget.checked : set.has(v))))} /> ${localized(o.label, o.value)}</label>`)}
        <${Messages} id=${id} error=${error} hint=${hint} /></fieldset>`;
    }
    case 'checkbox':
      return html`<div class=${`field${error ? ' has-error' : ''}`} data-field=${field.key}>
        <label class="check" for=${id}><input type="checkbox" ...${common} checked=${Boolean(value)}
          onChange=${(e) => onChange(e.currentTarget.checked)} /> ${label}${req}</label>
        <${Messages} id=${id} error=${error} hint=${hint} /></div>`;
    default: {
      const type = { number: 'number', date: 'date', email: 'email' }[field.type] || 'text';
      return html`<div class=${`field${error ? ' has-error' : ''}`} data-field=${field.key}>
        <label for=${id}>${label}${req}</label>
        <input ...${common} type=${type} value=${value ?? ''} placeholder=${placeholder}
          min=${field.min} max=${field.max} step=${type === 'number' ? (field.integer ? '1' : 'any') : undefined}
          maxlength=${field.max_length} inputmode=${type === 'number' ? (field.integer ? 'numeric' : 'decimal') : undefined}
          autocomplete=${type === 'email' ? 'email' : undefined}
          onInput=${(e) => onChange(e.currentTarget.value)} />
        <${Messages} id=${id} error=${error} hint=${hint} /></div>`;
    }
  }
}

// The submitted form object: empty answers are left out (the server reports required ones),
// numbers as numbers (text the browser cannot read as a number is sent as it is, for the server
// to report), checkboxes as booleans, multiselects as arrays.
export function formBody(fields, values) {
  const out = {};
  for (const f of fields) {
    const v = values[f.key];
    if (f.type === 'checkbox') { if (v) out[f.key] = true; continue; }
    if (f.type === 'multiselect') { if (v && v.length) out[f.key] = v; continue; }
    if (v === undefined || v === null || String(v).trim() === '') continue;
    if (f.type === 'number') { const n = Number(v); out[f.key] = Number.isFinite(n) ? n : v; continue; }
    out[f.key] = typeof v === 'string' ? v.trim() : v;
  }
  return out;
}

export function NewServiceRequestPage({ route }) {
  const app = useApp();
  const [types, setTypes] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const [typeKey, setTypeKey] = useState(route.query.get('type') || '');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [values, setValues] = useState({});
  const [errors, setErrors] = useState({});
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    loadRequestTypes().then((items) => setTypes(items.filter((x) => x.active !== false))).catch((e) => { setLoadError(e); setTypes([]); });
  }, []);

  const type = (types || []).find((x) => x.key === typeKey);
  const fields = type?.form?.fields || [];

  const chooseType = (k) => {
    setTypeKey(k);
    setValues({});
    setErrors({});
    navigate(`/servicedesk/new${k ? `?type=${encodeURIComponent(k)}` : ''}`, { replace: true });
  };

  const labelOf = (p) => {
    if (p.startsWith('/form/')) {
      const f = fields.find((x) => x.key === p.slice(6).split('/')[0]);
      return f ? localized(f.label, f.key) : p.slice(6);
    }
    return { '/subject': t('sd.field.subject'), '/body': t('sd.field.description'), '/type': t('sd.field.type') }[p] || t('form.general');
  };

  const submit = async (e) => {
    e.preventDefault();
    setErrors({});
    if (!typeKey) { setErrors({ '/type': t('sd.new.choose_type') }); return; }
    setSaving(true);
    try {
      const created = await api('POST', '/servicedesk/requests', { body: {
        type: typeKey, subject: subject.trim(), body: body.trim(), form: formBody(fields, values), language: language(),
      } });
      navigate(`/servicedesk/${created.id}`);
      app.notify(t('sd.new.created', { number: created.number }));
    } catch (err) {
      if (err.status === 422 && err.errors.length) setErrors(errorsByPointer(err));
      else app.reportError(err);
    }
    setSaving(false);
  };

  if (types === null) return html`<section><${PageTitle} text=${t('sd.new.title')} /><${Loading} /></section>`;
  if (loadError) return html`<section><${PageTitle} text=${t('sd.new.title')} /><${LoadError} error=${loadError} /></section>`;
  return html`<section aria-labelledby="page-title">
    <${PageTitle} text=${t('sd.new.title')} />
    <p>${t('sd.new.intro')}</p>
    <${ErrorSummary} title=${t('form.error_summary')} errors=${errors} labels=${labelOf} />
    <form class="card sd-new-form" onSubmit=${submit} novalidate>
      <${SelectField} pointer="/type" label=${t('sd.field.type')} value=${typeKey} onChange=${chooseType} required
        options=${types.map((x) => [x.key, localized(x.names, x.key)])} empty=${t('common.choose')} error=${errors['/type']} />
      ${type && html`
        <${TextField} pointer="/subject" label=${t('sd.field.subject')} value=${subject} onInput=${setSubject} required
          maxlength="200" error=${errors['/subject']} />
        <div class=${`field${errors['/body'] ? ' has-error' : ''}`}>
          <label for="f-body">${t('sd.field.description')}<span class="req" aria-hidden="true"> *</span></label>
          <textarea id="f-body" name="/body" rows="6" required value=${body} onInput=${(e) => setBody(e.currentTarget.value)}
            aria-invalid=${errors['/body'] ? 'true' : undefined} aria-describedby=${errors['/body'] ? 'f-body-error' : undefined}></textarea>
          ${errors['/body'] && html`<p class="field-error" id="f-body-error"><span aria-hidden="true">⚠ </span>${errors['/body']}</p>`}
        </div>
        ${fields.length > 0 && html`<fieldset class="eform" id="eform">
          <legend>${t('sd.new.form_legend', { type: localized(type.names, type.key) })}</legend>
          ${fields.map((f) => html`<${EFormField} key=${f.key} field=${f} value=${values[f.key]} error=${errors[`/form/${f.key}`]}
            onChange=${(v) => setValues({ ...values, [f.key]: v })} />`)}
          ${errors['/form'] && html`<p class="field-error">${errors['/form']}</p>`}
        </fieldset>`}
        <p class="hint">${t('form.required_note')}</p>
        <div class="actions"><button type="submit" disabled=${saving}>${saving ? t('form.saving') : t('sd.new.submit')}</button>
          <a href="/servicedesk">${t('form.cancel')}</a></div>`}
    </form>
  </section>`;
}
