// Contact person page: details, edit (maintainers, and a trader user for their own organisation's
// contacts), change history, and for admins and agents the data-subject rights: export of
// everything held on the person (downloaded as JSON) and erasure (confirmation required; the
// server keeps the record's links and history but removes the personal fields).
import { html, useState, useEffect, useRef } from '../lib.js';
import { api } from '../api.js';
import { t, formatDateTime } from '../i18n.js';
import { useApp, Loading, LoadError, PageTitle, ErrorSummary, errorsByPointer } from '../ui.js';
import { can, canEditContacts } from '../roles.js';
import { fieldLabel, languageLabel, formatValue } from '../labels.js';
import { FEATURES } from '../features.js';
import { ContactFields, contactBody, contactRoleLabel } from './organisation_related.js';

function toForm(c) {
  return { first_name: c.first_name || '', last_name: c.last_name || '', email: c.email || '', phone: c.phone || '',
    language: c.language || '', contact_roles: [...(c.contact_roles || [])], marketing_consent: Boolean(c.marketing_consent) };
}

function ContactHistory({ id, version }) {
  const [items, setItems] = useState(null);
  useEffect(() => {
    api('GET', `/contacts/${id}/history`, { query: { limit: 50 } }).then((p) => setItems(p.items)).catch(() => setItems([]));
  }, [id, version]);
  if (items === null) return html`<${Loading} />`;
  if (!items.length) return html`<p>${t('history.empty')}</p>`;
  return html`<div class="table-wrap"><table class="history"><caption class="visually-hidden">${t('history.title')}</caption>
    <thead><tr><th scope="col">${t('history.when')}</th><th scope="col">${t('history.who')}</th>
      <th scope="col">${t('history.action')}</th><th scope="col">${t('history.change')}</th></tr></thead>
    <tbody>${items.map((e) => html`<tr key=${e.id}><td>${formatDateTime(e.changed_at)}</td>
      <td>${e.actor?.name || t('history.system')}</td><td>${t(`history.action.${e.action}`)}</td>
      <td>${(e.changes || []).filter((c) => formatValue(c.field, c.old) !== formatValue(c.field, c.new)).map((c) => html`<div>${fieldLabel(c.field)}: ${formatValue(c.field, c.old)} → ${formatValue(c.field, c.new)}</div>`)}</td>
    </tr>`)}</tbody></table></div>`;
}

// A modal confirmation: focus goes to Cancel; Escape cancels; the action needs an explicit click.
function ConfirmErase({ name, onConfirm, onCancel, busy }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    d?.querySelector('button.secondary')?.focus();
  }, []);
  return html`<dialog ref=${ref} aria-labelledby="erase-title" aria-describedby="erase-text"
      onCancel=${(e) => { e.preventDefault(); onCancel(); }}>
    <h2 id="erase-title">${t('contact.erase_confirm_title')}</h2>
    <p id="erase-text">${t('contact.erase_confirm_text', { name })}</p>
    <div class="actions">
      <button type="button" class="danger" disabled=${busy} onClick=${onConfirm}>${t('contact.erase_confirm')}</button>
      <button type="button" class="secondary" onClick=${onCancel}>${t('form.cancel')}</button>
    </div>
  </dialog>`;
}

export function ContactPage({ id }) {
  const app = useApp();
  const [contact, setContact] = useState(null);
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState(null);
  const [errors, setErrors] = useState({});
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [exported, setExported] = useState(null);

  useEffect(() => {
    if (FEATURES.contacts) api('GET', `/contacts/${encodeURIComponent(id)}`).then(setContact).catch(setError);
  }, [id]);

  if (!FEATURES.contacts) {
    return html`<section><${PageTitle} text=${t('contact.title')} /><p>${t('contact.unavailable')}</p></section>`;
  }
  if (error) return html`<section><${PageTitle} text=${t('contact.title')} /><${LoadError} error=${error} /></section>`;
  if (!contact) return html`<section><${PageTitle} text=${t('contact.title')} /><${Loading} /></section>`;

  const editable = canEditContacts(app.me, contact.organisation_id);
  const erased = Boolean(contact.erased_at);
  const name = `${contact.first_name} ${contact.last_name}`;

  const save = async (e) => {
    e.preventDefault();
    setErrors({});
    try {
      const saved = await api('PATCH', `/contacts/${contact.id}`, { body: contactBody(form),
        contentType: 'application/merge-patch+json', headers: { 'If-Match': `"${contact.version}"` } });
      setContact(saved);
      setEditing(false);
      app.notify(t('orgform.saved'));
    } catch (err) {
      const by = errorsByPointer(err);
      if (Object.keys(by).length) setErrors(by);
      else app.reportError(err);
    }
  };

  const exportData = async () => {
    try {
      const data = await api('GET', `/contacts/${contact.id}/personal-data`);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      if (exported) URL.revokeObjectURL(exported.url);
      setExported({ url: URL.createObjectURL(blob), size: blob.size });
      app.notify(t('contact.export_ready'));
    } catch (err) {
      app.reportError(err);
    }
  };

  const erase = async () => {
    setBusy(true);
    try {
      const after = await api('POST', `/contacts/${contact.id}/erase`, { body: {} });
      setContact(after);
      setConfirming(false);
      app.notify(t('contact.erased'));
    } catch (err) {
      setConfirming(false);
      app.reportError(err);
    }
    setBusy(false);
  };

  return html`<article aria-labelledby="page-title">
    <p class="eyebrow"><a href=${`/organisations/${contact.organisation_id}`}>${t('contact.back_to_org')}</a></p>
    <div class="page-head">
      <${PageTitle} text=${erased ? t('contact.erased_title') : name} />
      ${editable && !erased && !editing && html`<button type="button" onClick=${() => { setForm(toForm(contact)); setEditing(true); }}>
        ${t('org.edit')}</button>`}
    </div>
    ${erased && html`<p class="notice">${t('contact.erased_note', { when: formatDateTime(contact.erased_at) })}</p>`}
    ${editing ? html`<form class="card" onSubmit=${save} novalidate aria-labelledby="edit-contact-title">
        <h2 id="edit-contact-title">${t('contact.edit_title')}</h2>
        <${ErrorSummary} title=${t('form.error_summary')} errors=${errors} labels=${(p) => fieldLabel(p.split('/')[1] || '')} />
        <${ContactFields} form=${form} setForm=${setForm} errors=${errors} />
        <div class="actions"><button type="submit">${t('form.save')}</button>
          <button type="button" class="secondary" onClick=${() => setEditing(false)}>${t('form.cancel')}</button></div>
      </form>`
      : html`<section class="card" aria-labelledby="contact-details-title">
        <h2 id="contact-details-title">${t('org.details')}</h2>
        <dl class="details">
          ${[[t('field.email'), contact.email], [t('field.phone'), contact.phone],
            [t('field.language'), contact.language ? languageLabel(contact.language) : null],
            [t('field.contact_roles'), (contact.contact_roles || []).map(contactRoleLabel).join(', ')],
            [t('field.marketing_consent'), contact.marketing_consent ? t('common.yes') : t('common.no')],
            [t('field.updated_at'), formatDateTime(contact.updated_at)]].map(([k, v]) => html`<div class="row">
              <dt>${k}</dt><dd>${v || '—'}</dd></div>`)}
        </dl></section>`}
    ${can(app.me, 'privacy') && html`<section class="card" aria-labelledby="privacy-title">
      <h2 id="privacy-title">${t('contact.privacy_title')}</h2>
      <p>${t('contact.privacy_text')}</p>
      <div class="actions">
        <button type="button" class="secondary" onClick=${exportData}>${t('contact.export')}</button>
        ${exported && html`<a href=${exported.url} download=${`contact-${contact.id}-personal-data.json`}>
          ${t('contact.export_download')}</a>`}
        ${!erased && html`<button type="button" class="danger" onClick=${() => setConfirming(true)}>${t('contact.erase')}</button>`}
      </div>
    </section>`}
    <section class="card" aria-labelledby="contact-history-title">
      <h2 id="contact-history-title">${t('history.title')}</h2>
      <${ContactHistory} id=${contact.id} version=${contact.version} />
    </section>
    ${confirming && html`<${ConfirmErase} name=${name} busy=${busy} onConfirm=${erase} onCancel=${() => setConfirming(false)} />`}
  </article>`;
}
