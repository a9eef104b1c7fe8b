// Lodge a declaration by form (trader): H7 (low-value consignment) or H1 (standard import) with
// its goods items (commodity code, description, masses, amounts, origin, procedure). The body is the
// JSON lodging form of POST /declarations (exact decimals as strings), sent with the UI language in
// Accept-Language so that the server's violations come back in it; each violation's JSON pointer
// (/items/0/commodity_code) is shown at its field and in the summary. The LRN is the trader's own
// reference and an idempotency key: lodging the same LRN again shows the existing declaration.
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, tOr, language } from '../i18n.js';
import { navigate } from '../router.js';
import { useApp, PageTitle, TextField, SelectField, ErrorSummary, errorsByPointer } from '../ui.js';

// Mode of transport at the border (EUCDM 19 03 000, Union code list).
const TRANSPORT_MODES = ['1', '2', '3', '4', '5', '7', '8', '9'];
const MAX_ITEMS = 99;

function emptyItem(type) {
  return { commodity_code: '', description: '', gross_mass: '', net_mass: '', item_amount: '', customs_value: '',
    country_of_origin: '', procedure_code: '4000', additional_procedure: type === 'H7' ? 'C07' : '000',
    package_type: '', packages: '' };
}

function newLrn() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `LRN${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

// "12,50" -> "12.50": a decimal comma is accepted in the form; amounts go as exact strings.
const dec = (s) => String(s).trim().replace(/\s/g, '').replace(',', '.');

export function toDeclarationBody(f) {
  const h1 = f.type === 'H1';
  const body = {
    lrn: f.lrn.trim(), type: f.type,
    declarant: { identification_number: f.eori.trim() },
    importer: { identification_number: (f.importer || f.eori).trim() },
    office_of_lodgement: f.office.trim().toUpperCase(),
    country_of_dispatch: f.dispatch.trim().toUpperCase(),
    country_of_destination: f.destination.trim().toUpperCase(),
    transport: { mode_at_border: Number(f.transport_mode) },
    invoice_amount: dec(f.invoice_amount),
    invoice_currency: f.currency.trim().toUpperCase(),
    items: f.items.map((it) => {
      const o = { commodity_code: it.commodity_code.replace(/\s/g, ''), description: it.description.trim() };
      for (const k of ['gross_mass', 'net_mass', 'item_amount', 'customs_value']) if (String(it[k]).trim()) o[k] = dec(it[k]);
      for (const k of ['procedure_code', 'additional_procedure']) if (it[k].trim()) o[k] = it[k].trim().toUpperCase();
      if (it.country_of_origin.trim()) o.country_of_origin = it.country_of_origin.trim().toUpperCase();
      if (h1 && it.package_type.trim()) o.package_type = it.package_type.trim().toUpperCase();
      if (h1 && String(it.packages).trim()) o.packages = /^\d+$/.test(String(it.packages).trim()) ? Number(it.packages) : it.packages;
      return o;
    }),
  };
  if (f.declarant_name.trim()) body.declarant.name = f.declarant_name.trim();
  if (h1) {
    if (f.location.trim()) body.location_of_goods = f.location.trim().toUpperCase();
    if (f.total_gross_mass.trim()) body.total_gross_mass = dec(f.total_gross_mass);
    if (String(f.total_packages).trim()) body.total_packages = /^\d+$/.test(String(f.total_packages).trim()) ? Number(f.total_packages) : f.total_packages;
  }
  if (!body.transport.mode_at_border) delete body.transport;
  for (const k of ['office_of_lodgement', 'country_of_dispatch', 'country_of_destination', 'invoice_amount', 'invoice_currency']) {
    if (body[k] === '') delete body[k];
  }
  return body;
}

export function DeclarationFormPage() {
  const app = useApp();
  const [f, setF] = useState({ type: 'H7', lrn: newLrn(), eori: '', declarant_name: '', importer: '', office: 'FI001000',
    dispatch: '', destination: 'FI', transport_mode: '4', invoice_amount: '', currency: 'EUR', location: '',
    total_gross_mass: '', total_packages: '', items: [emptyItem('H7')] });
  const [errors, setErrors] = useState({});
  const [saving, setSaving] = useState(false);

  // The declarant is the trader's own organisation: its registered EORI and name.
  useEffect(() => {
    if (!app.me?.organisation_id) return;
    api('GET', `/organisations/${app.me.organisation_id}`).then((o) => {
      setF((x) => ({ ...x, eori: x.eori || o.eori || '', declarant_name: x.declarant_name || o.name || '' }));
    }).catch(() => {});
  }, []);

  const set = (k) => (v) => setF({ ...f, [k]: v });
  const setItem = (i, k) => (v) => setF({ ...f, items: f.items.map((it, j) => (j === i ? { ...it, [k]: v } : it)) });
  const setType = (type) => setF({ ...f, type, transport_mode: type === 'H7' ? '4' : '1',
    items: f.items.map((it) => ({ ...it, additional_procedure: type === 'H7' ? 'C07' : (it.additional_procedure === 'C07' ? '000' : it.additional_procedure) })) });

  const pointerLabel = (p) => {
    const m = p.match(/^\/items\/(\d+)(?:\/(\w+))?/);
    if (m) return `${t('decl.item_n', { n: Number(m[1]) + 1 })}${m[2] ? `: ${tOr(`decl.field.${m[2]}`, m[2])}` : ''}`;
    const map = { '/declarant/identification_number': 'declarant', '/importer/identification_number': 'importer',
      '/transport/mode_at_border': 'transport_mode' };
    const name = map[p] || p.split('/')[1] || '';
    return name ? tOr(`decl.field.${name}`, name) : t('form.general');
  };

  const submit = async (e) => {
    e.preventDefault();
    setErrors({});
    setSaving(true);
    try {
      const { data, response } = await api('POST', '/declarations', { body: toDeclarationBody(f),
        headers: { 'Accept-Language': language() }, withResponse: true });
      navigate(`/declarations/${data.id}`);
      if (response.status === 200) app.notify(t('decl.new.existing', { lrn: data.lrn }));
      else if (data.mrn) app.notify(t('decl.new.accepted', { mrn: data.mrn }));
      else app.notify(t('decl.new.lodged'));
    } catch (err) {
      if (err.status === 422 && err.errors.length) setErrors(errorsByPointer(err));
      else app.reportError(err);
    }
    setSaving(false);
  };

  const h1 = f.type === 'H1';
  const e = errors;
  const field = (k, pointer, props = {}) => html`<${TextField} pointer=${pointer} label=${t(`decl.field.${k}`)}
    value=${f[k]} onInput=${set(k)} error=${e[pointer]} ...${props} />`;
  return html`<section aria-labelledby="page-title">
    <${PageTitle} text=${t('decl.new.title')} />
    <p>${t('decl.new.intro')}</p>
    <${ErrorSummary} title=${t('form.error_summary')} errors=${errors} labels=${pointerLabel} />
    <form class="decl-form" onSubmit=${submit} novalidate>
      <fieldset class="card"><legend>${t('decl.new.general')}</legend>
        <fieldset class="field checkboxes" id="f-type"><legend>${t('decl.field.type')}</legend>
          ${['H7', 'H1'].map((x) => html`<label class="check"><input type="radio" name="type" value=${x} checked=${f.type === x}
            onChange=${() => setType(x)} /> ${t(`decl.type.${x}`)}</label>`)}
          ${e['/type'] && html`<p class="field-error">${e['/type']}</p>`}
        </fieldset>
        <div class="row2">
          ${field('lrn', '/lrn', { required: true, maxlength: 22, hint: t('decl.hint.lrn') })}
          ${field('office', '/office_of_lodgement', { required: true, hint: t('decl.hint.office') })}
        </div>
        <div class="row2">
          ${field('eori', '/declarant/identification_number', { required: true, hint: t('decl.hint.eori') })}
          ${field('declarant_name', '/declarant/name')}
        </div>
        <div class="row3">
          ${field('dispatch', '/country_of_dispatch', { required: true, maxlength: 2, hint: t('field.country_hint') })}
          ${field('destination', '/country_of_destination', { required: true, maxlength: 2 })}
          <${SelectField} pointer="/transport/mode_at_border" label=${t('decl.field.transport_mode')} value=${f.transport_mode}
            onChange=${set('transport_mode')} options=${TRANSPORT_MODES.map((m) => [m, `${m} – ${t(`decl.transport.${m}`)}`])}
            error=${e['/transport/mode_at_border']} />
        </div>
        <div class="row2">
          ${field('invoice_amount', '/invoice_amount', { required: true, inputmode: 'decimal', hint: h1 ? undefined : t('decl.hint.h7_limit') })}
          ${field('currency', '/invoice_currency', { required: true, maxlength: 3 })}
        </div>
        ${h1 && html`<div class="row3">
          ${field('location', '/location_of_goods', { hint: t('decl.hint.location') })}
          ${field('total_gross_mass', '/total_gross_mass', { inputmode: 'decimal' })}
          ${field('total_packages', '/total_packages', { inputmode: 'numeric' })}
        </div>`}
        ${e['/'] && html`<p class="field-error">${e['/']}</p>`}
      </fieldset>
      ${f.items.map((it, i) => {
        const p = `/items/${i}`;
        const item = (k, props = {}) => html`<${TextField} pointer=${`${p}/${k}`} label=${t(`decl.field.${k}`)} value=${it[k]}
          onInput=${setItem(i, k)} error=${e[`${p}/${k}`]} ...${props} />`;
        return html`<fieldset class="card decl-item" key=${i}><legend>${t('decl.item_n', { n: i + 1 })}</legend>
          ${e[p] && html`<p class="field-error" id=${`f-items-${i}-error`}>${e[p]}</p>`}
          <div class="row2">
            ${item('commodity_code', { required: true, inputmode: 'numeric', hint: t('decl.hint.commodity_code') })}
            ${item('description', { required: true, maxlength: 512 })}
          </div>
          <div class="row3">
            ${item('gross_mass', { inputmode: 'decimal', hint: t('decl.hint.kg') })}
            ${item('net_mass', { inputmode: 'decimal', hint: t('decl.hint.kg') })}
            ${item('country_of_origin', { maxlength: 2 })}
          </div>
          <div class="row2">
            ${item('item_amount', { inputmode: 'decimal' })}
            ${item('customs_value', { inputmode: 'decimal' })}
          </div>
          <div class="row2">
            ${item('procedure_code', { maxlength: 4 })}
            ${item('additional_procedure', { maxlength: 3 })}
          </div>
          ${h1 && html`<div class="row2">${item('package_type', { maxlength: 2 })}${item('packages', { inputmode: 'numeric' })}</div>`}
          ${f.items.length > 1 && html`<button type="button" class="secondary" onClick=${() => setF({ ...f, items: f.items.filter((_, j) => j !== i) })}>
            ${t('decl.remove_item', { n: i + 1 })}</button>`}
        </fieldset>`;
      })}
      <p>${f.items.length < MAX_ITEMS && html`<button type="button" class="secondary" id="add-item"
        onClick=${() => setF({ ...f, items: [...f.items, emptyItem(f.type)] })}>${t('decl.add_item')}</button>`}</p>
      <p class="hint">${t('form.required_note')}</p>
      <div class="actions"><button type="submit" disabled=${saving}>${saving ? t('form.saving') : t('decl.new.submit')}</button>
        <a href="/declarations">${t('form.cancel')}</a></div>
    </form>
  </section>`;
}
