// Create and edit an organisation. Edits are sent as a JSON merge patch of the changed members
// with If-Match (the version read), so a concurrent change is reported instead of overwritten.
// Validation is the server's: the problem+json `errors` pointers are shown next to the matching
// field ("/business_id", "/addresses/0/city") and in a summary that links to them.
// A trader user edits only what a trader may change (addresses and languages).
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { navigate } from '../router.js';
import { useApp, Loading, LoadError, PageTitle, TextField, SelectField, CheckboxGroup, ErrorSummary,
  errorsByPointer } from '../ui.js';
import { editableMembers } from '../roles.js';
import { ORG_STATUSES, ORG_ROLES, ORG_LANGUAGES, ADDRESS_TYPES, CUSTOMER_GROUPS, VALUE_CLASSES, statusLabel,
  orgRoleLabel, languageLabel, addressTypeLabel, groupLabel, valueClassLabel, fieldLabel } from '../labels.js';

const NULLABLE_TEXT = ['business_id', 'foreign_registry_id', 'eori', 'vat_number', 'sector_segment'];
const RELATIONSHIP = ['customer_group', 'value_class'];
const MAX_ADDRESSES = 10;

function emptyAddress() { return { type: 'postal', street: '', postal_code: '', city: '', country: 'FI' }; }

// The form's view of an organisation (strings for text inputs, '' for null).
function toForm(org) {
  const f = {
    name: org?.name || '',
    status: org?.status || 'active',
    roles: [...(org?.roles || [])],
    languages: [...(org?.languages || ['fi'])],
    parent_id: org?.parent_id ? String(org.parent_id) : '',
    addresses: (org?.addresses || [emptyAddress()]).map((a) => ({ ...emptyAddress(), ...a })),
  };
  for (const k of NULLABLE_TEXT) f[k] = org?.[k] || '';
  for (const k of RELATIONSHIP) if (!org || k in org) f[k] = org?.[k] || '';
  return f;
}

// The request body for the members in `members` ('all' or a list) from the form.
function toBody(form, members) {
  const body = {};
  const want = (k) => (members === 'all' || members.includes(k)) && k in form;
  if (want('name')) body.name = form.name.trim();
  if (want('status')) body.status = form.status;
  if (want('roles')) body.roles = form.roles;
  if (want('languages')) body.languages = form.languages;
  if (want('parent_id')) {
    const p = form.parent_id.trim();
    body.parent_id = p === '' ? null : (/^\d+$/.test(p) ? Number(p) : p);
  }
  if (want('addresses')) {
    body.addresses = form.addresses.map((a) => {
      const out = { type: a.type, street: a.street.trim(), city: a.city.trim(), country: a.country.trim().toUpperCase() };
      if (a.postal_code.trim()) out.postal_code = a.postal_code.trim();
      return out;
    });
  }
  for (const k of [...NULLABLE_TEXT, ...RELATIONSHIP]) {
    if (want(k)) body[k] = form[k].trim() === '' ? null : form[k].trim();
  }
  return body;
}

// The members whose value differs from what was loaded (a merge patch replaces arrays whole).
function diff(body, original) {
  const patch = {};
  for (const [k, v] of Object.entries(body)) {
    const before = original[k] === undefined ? null : original[k];
    const norm = (x) => JSON.stringify(Array.isArray(x) ? x.map((a) => (a && typeof a === 'object'
      ? Object.fromEntries(Object.entries(a).filter(([, y]) => y !== '' && y !== null).sort()) : a)) : x);
    if (norm(v) !== norm(before)) patch[k] = v;
  }
  return patch;
}

// "Address 2: City" for "/addresses/1/city"; the field's name for "/business_id".
function pointerLabel(p) {
  const m = p.match(/^\/addresses\/(\d+)(?:\/(\w+))?/);
  if (m) {
    const n = Number(m[1]) + 1;
    return m[2] ? `${t('org.address_n', { n })}: ${fieldLabel(m[2])}` : t('org.address_n', { n });
  }
  const top = p.split('/')[1] || '';
  return top ? fieldLabel(top) : t('form.general');
}

function AddressEditor({ index, address, onChange, onRemove, errors, canRemove }) {
  const p = `/addresses/${index}`;
  const set = (k) => (v) => onChange({ ...address, [k]: v });
  const legendId = `addr-${index}-legend`;
  return html`<fieldset class="address" aria-labelledby=${legendId}>
    <legend id=${legendId}>${t('org.address_n', { n: index + 1 })}</legend>
    ${errors[p] && html`<p class="field-error" id=${`f-addresses-${index}-error`}>${errors[p]}</p>`}
    <div class="row2">
      <${SelectField} pointer=${`${p}/type`} label=${t('field.type')} value=${address.type} onChange=${set('type')}
        options=${ADDRESS_TYPES.map((v) => [v, addressTypeLabel(v)])} error=${errors[`${p}/type`]} />
      <${TextField} pointer=${`${p}/street`} label=${t('field.street')} value=${address.street} onInput=${set('street')}
        required autocomplete="street-address" error=${errors[`${p}/street`]} />
    </div>
    <div class="row3">
      <${TextField} pointer=${`${p}/postal_code`} label=${t('field.postal_code')} value=${address.postal_code}
        onInput=${set('postal_code')} autocomplete="postal-code" error=${errors[`${p}/postal_code`]} />
      <${TextField} pointer=${`${p}/city`} label=${t('field.city')} value=${address.city} onInput=${set('city')}
        required autocomplete="address-level2" error=${errors[`${p}/city`]} />
      <${TextField} pointer=${`${p}/country`} label=${t('field.country')} value=${address.country}
        onInput=${set('country')} required maxlength="2" hint=${t('field.country_hint')}
        error=${errors[`${p}/country`]} />
    </div>
    ${canRemove && html`<button type="button" class="secondary" onClick=${onRemove}>
      ${t('org.remove_address', { n: index + 1 })}</button>`}
  </fieldset>`;
}

// Errors of a checkbox group: "/roles" and "/roles/1" both belong to the group.
function groupError(errors, name) {
  const key = Object.keys(errors).find((p) => p === `/${name}` || p.startsWith(`/${name}/`));
  return key ? errors[key] : undefined;
}

export function OrganisationFormPage({ id }) {
  const app = useApp();
  const creating = id === undefined;
  const [original, setOriginal] = useState(creating ? {} : null);
  const [form, setForm] = useState(creating ? toForm(null) : null);
  const [loadError, setLoadError] = useState(null);
  const [errors, setErrors] = useState({});
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (creating) return;
    api('GET', `/organisations/${encodeURIComponent(id)}`)
      .then((o) => { setOriginal(o); setForm(toForm(o)); })
      .catch(setLoadError);
  }, [id]);

  const title = creating ? t('orgform.create_title') : t('orgform.edit_title');
  if (loadError) return html`<section><${PageTitle} text=${title} /><${LoadError} error=${loadError} /></section>`;
  if (!form) return html`<section><${PageTitle} text=${title} /><${Loading} /></section>`;

  const members = creating ? 'all' : editableMembers(app.me, original);
  if (!members) {
    return html`<section><${PageTitle} text=${title} />
      <${LoadError} error=${{ status: 403 }} /></section>`;
  }
  const all = members === 'all';
  const set = (k) => (v) => setForm({ ...form, [k]: v });
  const setAddress = (i) => (a) => setForm({ ...form, addresses: form.addresses.map((x, j) => (j === i ? a : x)) });

  const submit = async (e) => {
    e.preventDefault();
    setSaving(true);
    setErrors({});
    app.clearBanner();
    try {
      let saved;
      if (creating) {
        const body = toBody(form, 'all');
        for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
        saved = await api('POST', '/organisations', { body });
      } else {
        const patch = diff(toBody(form, members), original);
        if (Object.keys(patch).length === 0) {
          app.notify(t('orgform.nothing_changed'));
          navigate(`/organisations/${original.id}`);
          return;
        }
        saved = await api('PATCH', `/organisations/${original.id}`, {
          body: patch, contentType: 'application/merge-patch+json', headers: { 'If-Match': `"${original.version}"` },
        });
      }
      navigate(`/organisations/${saved.id}`);
      app.notify(creating ? t('orgform.created') : t('orgform.saved'));
    } catch (err) {
      setSaving(false);
      const byPointer = errorsByPointer(err);
      if (Object.keys(byPointer).length) setErrors(byPointer);
      else app.reportError(err);
    }
  };

  const cancelHref = creating ? '/organisations' : `/organisations/${original.id}`;
  return html`<section aria-labelledby="page-title">
    <p class="eyebrow">${creating ? t('org.title') : original.name}</p>
    <${PageTitle} text=${title} />
    <p class="hint">${t('form.required_note')}</p>
    <${ErrorSummary} title=${t('form.error_summary')} errors=${errors} labels=${pointerLabel} />
    <form onSubmit=${submit} novalidate class="org-form">
      ${all && html`<fieldset class="card"><legend>${t('org.details')}</legend>
        <${TextField} pointer="/name" label=${t('field.name')} value=${form.name} onInput=${set('name')} required
          maxlength="300" error=${errors['/name']} />
        <div class="row2">
          <${TextField} pointer="/business_id" label=${t('field.business_id')} value=${form.business_id}
            onInput=${set('business_id')} hint=${t('field.business_id_hint')} error=${errors['/business_id']} />
          <${TextField} pointer="/foreign_registry_id" label=${t('field.foreign_registry_id')}
            value=${form.foreign_registry_id} onInput=${set('foreign_registry_id')}
            error=${errors['/foreign_registry_id']} />
        </div>
        <div class="row2">
          <${TextField} pointer="/eori" label=${t('field.eori')} value=${form.eori} onInput=${set('eori')}
            hint=${t('field.eori_hint')} error=${errors['/eori']} />
          <${TextField} pointer="/vat_number" label=${t('field.vat_number')} value=${form.vat_number}
            onInput=${set('vat_number')} error=${errors['/vat_number']} />
        </div>
        <div class="row2">
          <${SelectField} pointer="/status" label=${t('field.status')} value=${form.status} onChange=${set('status')}
            options=${ORG_STATUSES.map((v) => [v, statusLabel(v)])} error=${errors['/status']} />
          <${TextField} pointer="/sector_segment" label=${t('field.sector_segment')} value=${form.sector_segment}
            onInput=${set('sector_segment')} error=${errors['/sector_segment']} />
        </div>
        <${TextField} pointer="/parent_id" label=${t('field.parent_id')} value=${form.parent_id}
          onInput=${set('parent_id')} inputmode="numeric" hint=${t('field.parent_id_hint')}
          error=${errors['/parent_id']} />
        <${CheckboxGroup} pointer="/roles" legend=${t('field.roles')} value=${form.roles} onChange=${set('roles')}
          options=${ORG_ROLES.map((v) => [v, orgRoleLabel(v)])} error=${groupError(errors, 'roles')} />
      </fieldset>`}
      ${all && 'customer_group' in form && html`<fieldset class="card"><legend>${t('org.relationship')}</legend>
        <div class="row2">
          <${SelectField} pointer="/customer_group" label=${t('field.customer_group')} value=${form.customer_group}
            onChange=${set('customer_group')} empty=${t('common.none')}
            options=${CUSTOMER_GROUPS.map((v) => [v, groupLabel(v)])} error=${errors['/customer_group']} />
          <${SelectField} pointer="/value_class" label=${t('field.value_class')} value=${form.value_class}
            onChange=${set('value_class')} empty=${t('common.none')}
            options=${VALUE_CLASSES.map((v) => [v, valueClassLabel(v)])} error=${errors['/value_class']} />
        </div>
      </fieldset>`}
      ${!all && html`<p class="notice">${t('orgform.trader_note')}</p>`}
      <fieldset class="card"><legend>${t('field.languages')}</legend>
        <${CheckboxGroup} pointer="/languages" legend=${t('orgform.languages_legend')} value=${form.languages}
          onChange=${set('languages')} options=${ORG_LANGUAGES.map((v) => [v, languageLabel(v)])}
          error=${groupError(errors, 'languages')} />
      </fieldset>
      <fieldset class="card"><legend>${t('field.addresses')}</legend>
        ${errors['/addresses'] && html`<p class="field-error" id="f-addresses-error">${errors['/addresses']}</p>`}
        ${form.addresses.map((a, i) => html`<${AddressEditor} key=${i} index=${i} address=${a}
          onChange=${setAddress(i)} errors=${errors} canRemove=${true}
          onRemove=${() => setForm({ ...form, addresses: form.addresses.filter((_, j) => j !== i) })} />`)}
        ${form.addresses.length < MAX_ADDRESSES && html`<button type="button" class="secondary"
          onClick=${() => setForm({ ...form, addresses: [...form.addresses, emptyAddress()] })}>
          ${t('org.add_address')}</button>`}
      </fieldset>
      <div class="actions">
        <button type="submit" disabled=${saving}>${saving ? t('form.saving') : (creating ? t('orgform.create') : t('form.save'))}</button>
        <a class="button secondary" href=${cancelHref}>${t('form.cancel')}</a>
      </div>
    </form>
  </section>`;
}
