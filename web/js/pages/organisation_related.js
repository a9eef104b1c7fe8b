// Contacts and establishments of an organisation, listed on its page; maintainers add new ones
// here, and a trader user adds contact persons of their own organisation (the server validates;
// its field errors are shown next to the fields).
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, tOr } from '../i18n.js';
import { useApp, Loading, LoadError, TextField, SelectField, CheckboxGroup, ErrorSummary, errorsByPointer } from '../ui.js';
import { can, canEditContacts } from '../roles.js';
import { FEATURES } from '../features.js';
import { fieldLabel, languageLabel, ORG_LANGUAGES } from '../labels.js';

export const CONTACT_ROLES = ['decision_maker', 'influencer', 'customs_contact', 'cooperation_partner',
  'billing_contact', 'it_edi_contact'];
export const ESTABLISHMENT_TYPES = ['head_office', 'branch', 'warehouse', 'terminal', 'production', 'office',
  'customs_warehouse', 'other'];
export const contactRoleLabel = (v) => tOr(`contact.role.${v}`, v);
export const establishmentTypeLabel = (v) => tOr(`establishment.type.${v}`, v);

function useList(path, enabled) {
  const [state, setState] = useState({ items: null, error: null });
  const reload = () => {
    if (!enabled) return;
    api('GET', path, { query: { limit: 100 } })
      .then((p) => setState({ items: p.items, error: null }))
      .catch((e) => setState({ items: [], error: e }));
  };
  useEffect(reload, [path]);
  return [state, reload];
}

export function emptyContact() {
  return { first_name: '', last_name: '', email: '', phone: '', language: 'fi', contact_roles: [], marketing_consent: false };
}

export function contactBody(f) {
  const body = { first_name: f.first_name.trim(), last_name: f.last_name.trim(), contact_roles: f.contact_roles,
    marketing_consent: Boolean(f.marketing_consent) };
  for (const k of ['email', 'phone', 'language']) body[k] = f[k] && f[k].trim() ? f[k].trim() : null;
  return body;
}

// The fields of a contact person (used here to add one and on the contact page to edit).
export function ContactFields({ form, setForm, errors, prefix = '' }) {
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  return html`<div class="row2">
      <${TextField} pointer=${`${prefix}/first_name`} label=${t('field.first_name')} value=${form.first_name}
        onInput=${set('first_name')} required autocomplete="off" error=${errors['/first_name']} />
      <${TextField} pointer=${`${prefix}/last_name`} label=${t('field.last_name')} value=${form.last_name}
        onInput=${set('last_name')} required autocomplete="off" error=${errors['/last_name']} />
    </div>
    <div class="row2">
      <${TextField} pointer=${`${prefix}/email`} label=${t('field.email')} value=${form.email} type="email"
        onInput=${set('email')} autocomplete="off" error=${errors['/email']} />
      <${TextField} pointer=${`${prefix}/phone`} label=${t('field.phone')} value=${form.phone} type="tel"
        onInput=${set('phone')} autocomplete="off" error=${errors['/phone']} />
    </div>
    <${SelectField} pointer=${`${prefix}/language`} label=${t('field.language')} value=${form.language || ''}
      onChange=${set('language')} empty=${t('common.none')} options=${ORG_LANGUAGES.map((v) => [v, languageLabel(v)])}
      error=${errors['/language']} />
    <${CheckboxGroup} pointer=${`${prefix}/contact_roles`} legend=${t('field.contact_roles')} value=${form.contact_roles}
      onChange=${set('contact_roles')} options=${CONTACT_ROLES.map((v) => [v, contactRoleLabel(v)])}
      error=${Object.entries(errors).find(([p]) => p.startsWith('/contact_roles'))?.[1]} />
    <div class="field"><label class="check"><input type="checkbox" id=${`f${prefix.replace(/\//g, '-')}-marketing_consent`}
      checked=${form.marketing_consent} onChange=${(e) => set('marketing_consent')(e.currentTarget.checked)} />
      ${t('field.marketing_consent')}</label></div>`;
}

function AddContact({ orgId, onAdded }) {
  const app = useApp();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(emptyContact());
  const [errors, setErrors] = useState({});
  const [saving, setSaving] = useState(false);
  if (!open) {
    return html`<button type="button" class="secondary" onClick=${() => setOpen(true)}>${t('contact.add')}</button>`;
  }
  const submit = async (e) => {
    e.preventDefault();
    setSaving(true);
    setErrors({});
    try {
      await api('POST', `/organisations/${orgId}/contacts`, { body: contactBody(form) });
      setOpen(false);
      setForm(emptyContact());
      app.notify(t('contact.added'));
      onAdded();
    } catch (err) {
      const by = errorsByPointer(err);
      if (Object.keys(by).length) setErrors(by);
      else app.reportError(err);
    }
    setSaving(false);
  };
  return html`<form class="subform" onSubmit=${submit} novalidate aria-labelledby="add-contact-title">
    <h3 id="add-contact-title">${t('contact.add')}</h3>
    <${ErrorSummary} title=${t('form.error_summary')} errors=${errors} labels=${(p) => fieldLabel(p.split('/')[1] || '')} />
    <${ContactFields} form=${form} setForm=${setForm} errors=${errors} />
    <div class="actions"><button type="submit" disabled=${saving}>${t('contact.save_new')}</button>
      <button type="button" class="secondary" onClick=${() => setOpen(false)}>${t('form.cancel')}</button></div>
  </form>`;
}

const emptyEstablishment = () => ({ name: '', code: '', type: 'branch', street: '', postal_code: '', city: '',
  country: 'FI', unlocode: '' });

function AddEstablishment({ orgId, onAdded }) {
  const app = useApp();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(emptyEstablishment());
  const [errors, setErrors] = useState({});
  if (!open) {
    return html`<button type="button" class="secondary" onClick=${() => setOpen(true)}>${t('establishment.add')}</button>`;
  }
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const submit = async (e) => {
    e.preventDefault();
    setErrors({});
    const body = {};
    for (const [k, v] of Object.entries(form)) body[k] = v.trim() === '' ? null : v.trim();
    if (body.country) body.country = body.country.toUpperCase();
    try {
      await api('POST', `/organisations/${orgId}/establishments`, { body });
      setOpen(false);
      setForm(emptyEstablishment());
      app.notify(t('establishment.added'));
      onAdded();
    } catch (err) {
      const by = errorsByPointer(err);
      if (Object.keys(by).length) setErrors(by);
      else app.reportError(err);
    }
  };
  return html`<form class="subform" onSubmit=${submit} novalidate aria-labelledby="add-est-title">
    <h3 id="add-est-title">${t('establishment.add')}</h3>
    <${ErrorSummary} title=${t('form.error_summary')} errors=${errors} labels=${(p) => fieldLabel(p.split('/')[1] || '')} />
    <div class="row2">
      <${TextField} pointer="/est/name" label=${t('field.name')} value=${form.name} onInput=${set('name')} required error=${errors['/name']} />
      <${SelectField} pointer="/est/type" label=${t('field.type')} value=${form.type} onChange=${set('type')}
        options=${ESTABLISHMENT_TYPES.map((v) => [v, establishmentTypeLabel(v)])} error=${errors['/type']} />
    </div>
    <div class="row2">
      <${TextField} pointer="/est/street" label=${t('field.street')} value=${form.street} onInput=${set('street')} required error=${errors['/street']} />
      <${TextField} pointer="/est/postal_code" label=${t('field.postal_code')} value=${form.postal_code} onInput=${set('postal_code')} error=${errors['/postal_code']} />
    </div>
    <div class="row3">
      <${TextField} pointer="/est/city" label=${t('field.city')} value=${form.city} onInput=${set('city')} required error=${errors['/city']} />
      <${TextField} pointer="/est/country" label=${t('field.country')} value=${form.country} onInput=${set('country')} required maxlength="2" error=${errors['/country']} />
      <${TextField} pointer="/est/unlocode" label=${t('field.unlocode')} value=${form.unlocode} onInput=${set('unlocode')} hint=${t('field.unlocode_hint')} error=${errors['/unlocode']} />
    </div>
    <div class="actions"><button type="submit">${t('establishment.save_new')}</button>
      <button type="button" class="secondary" onClick=${() => setOpen(false)}>${t('form.cancel')}</button></div>
  </form>`;
}

export function RelatedSections({ org }) {
  const app = useApp();
  const [contacts, reloadContacts] = useList(`/organisations/${org.id}/contacts`, FEATURES.contacts);
  const [ests, reloadEsts] = useList(`/organisations/${org.id}/establishments`, FEATURES.establishments);
  const maintain = can(app.me, 'maintain');
  return html`<div class="grid">
    ${FEATURES.contacts && html`<section class="card" aria-labelledby="contacts-title">
      <h2 id="contacts-title">${t('contact.list_title')}</h2>
      ${contacts.error && html`<${LoadError} error=${contacts.error} />`}
      ${contacts.items === null ? html`<${Loading} />` : contacts.items.length === 0 ? html`<p>${t('contact.none')}</p>`
        : html`<ul class="plain">${contacts.items.map((c) => html`<li key=${c.id}>
            <a href=${`/contacts/${c.id}`}>${c.first_name} ${c.last_name}</a>
            ${(c.contact_roles || []).length > 0 && html`<br /><span class="muted">${c.contact_roles.map(contactRoleLabel).join(', ')}</span>`}
          </li>`)}</ul>`}
      ${canEditContacts(app.me, org.id) && html`<${AddContact} orgId=${org.id} onAdded=${reloadContacts} />`}
    </section>`}
    ${FEATURES.establishments && html`<section class="card" aria-labelledby="establishments-title">
      <h2 id="establishments-title">${t('establishment.list_title')}</h2>
      ${ests.error && html`<${LoadError} error=${ests.error} />`}
      ${ests.items === null ? html`<${Loading} />` : ests.items.length === 0 ? html`<p>${t('establishment.none')}</p>`
        : html`<ul class="plain">${ests.items.map((e) => html`<li key=${e.id}>
            <strong>${e.name}</strong> (${establishmentTypeLabel(e.type)})<br />
            ${[e.street, [e.postal_code, e.city].filter(Boolean).join(' '), e.country].filter(Boolean).join(', ')}
            ${e.unlocode && html` · UN/LOCODE ${e.unlocode}`}</li>`)}</ul>`}
      ${maintain && html`<${AddEstablishment} orgId=${org.id} onAdded=${reloadEsts} />`}
    </section>`}
  </div>`;
}
