// Control of a declaration (the /api/v1/control routes, shown when the server has them):
// officers record the control result (findings: compliant or non-compliant with a category),
// request documents from the trader and decide on the answered requests; the trader sees the
// document requests of their declaration and uploads the requested documents.
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, tOr, formatDateTime, formatNumber } from '../i18n.js';
import { useApp, SelectField, TextField, errorsByPointer, errorText } from '../ui.js';

const MAX_DOCUMENT = 4 * 1024 * 1024;
const categoryLabel = (c) => (c ? tOr(`control.category.${c}`, c) : '—');

function useControlData(declId, tick) {
  const [findings, setFindings] = useState([]);
  const [requests, setRequests] = useState([]);
  const [categories, setCategories] = useState([]);
  useEffect(() => {
    api('GET', `/control/declarations/${declId}/findings`).then((r) => setFindings(r.items || [])).catch(() => setFindings([]));
    api('GET', `/control/declarations/${declId}/document-requests`).then((r) => setRequests(r.items || [])).catch(() => setRequests([]));
    api('GET', '/control/finding-categories').then((r) => setCategories(r.items || [])).catch(() => setCategories([]));
  }, [declId, tick]);
  return { findings, requests, categories };
}

function Documents({ req }) {
  if (!(req.documents || []).length) return html`<p class="muted">${t('control.docs.none_uploaded')}</p>`;
  return html`<ul class="plain">${req.documents.map((d) => html`<li>
    <a href=${`/api/v1/control/document-requests/${req.id}/documents/${d.id}`} download=${d.filename}>${d.filename}</a>
    <span class="muted"> ${formatNumber(Math.ceil((d.size_bytes || 0) / 1024))} kB · ${d.uploaded_by} · ${formatDateTime(d.uploaded_at)}</span></li>`)}</ul>`;
}

function RequestSummary({ req }) {
  return html`<div class="doc-request-head">
    <p><strong>${t('control.docs.requested')}</strong>: ${(req.required_documents || []).join(', ')}</p>
    ${req.message && html`<p class="msg-body">${req.message}</p>`}
    <p class="muted">${tOr(`control.docs.state.${req.state}`, req.state)} · ${req.requested_by} · ${formatDateTime(req.requested_at)}
      ${req.decision ? ` · ${t('control.docs.decision')}: ${tOr(`control.decision.${req.decision}`, req.decision)}` : ''}</p>
  </div>`;
}

export function ControlPanel({ decl, onDone }) {
  const app = useApp();
  const [tick, setTick] = useState(0);
  const { findings, requests, categories } = useControlData(decl.id, tick);
  const [outcome, setOutcome] = useState('compliant');
  const [category, setCategory] = useState('');
  const [note, setNote] = useState('');
  const [docs, setDocs] = useState('');
  const [message, setMessage] = useState('');
  const [decision, setDecision] = useState({});
  const [errors, setErrors] = useState({});
  const underControl = ['under_documentary_control', 'under_physical_control'].includes(decl.state);

  const post = async (key, path, body, done) => {
    setErrors({});
    try {
      const r = await api('POST', path, { body });
      app.notify(done);
      setTick(tick + 1);
      if (onDone) onDone(r);
      return true;
    } catch (err) {
      if (err.status === 422 && err.errors.length) {
        const e = {};
        for (const [p, m] of Object.entries(errorsByPointer(err))) e[`${key}${p}`] = m;
        setErrors(e);
      } else if (err.status === 409) setErrors({ [`${key}/`]: err.problem?.detail || t('error.conflict') });
      else app.reportError(err);
      return false;
    }
  };

  const recordFinding = async (e) => {
    e.preventDefault();
    const body = { outcome };
    if (outcome === 'non_compliant' && category) body.category = category;
    if (note.trim()) body.note = note.trim();
    if (await post('finding', `/control/declarations/${decl.id}/findings`, body, t('control.finding.saved'))) {
      setNote(''); setCategory('');
    }
  };
  const requestDocs = async (e) => {
    e.preventDefault();
    const list = docs.split('\n').map((x) => x.trim()).filter(Boolean);
    if (await post('docreq', `/control/declarations/${decl.id}/document-requests`, { required_documents: list, message: message.trim() },
      t('control.docs.requested_done'))) { setDocs(''); setMessage(''); }
  };
  const decide = async (req) => {
    const d = decision[req.id] || {};
    const body = { decision: d.decision || 'release' };
    if (d.note && d.note.trim()) body.note = d.note.trim();
    if (body.decision === 'refuse' && d.category) body.category = d.category;
    await post(`decide${req.id}`, `/control/document-requests/${req.id}/decision`, body, t('control.docs.decided'));
  };
  const setDec = (id, k) => (v) => setDecision({ ...decision, [id]: { ...(decision[id] || {}), [k]: v } });

  return html`<section class="card" aria-labelledby="control-title" id="control-panel">
    <h2 id="control-title">${t('control.title')}</h2>
    <h3>${t('control.findings')}</h3>
    ${findings.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t('control.findings')}><table id="control-findings">
      <caption class="visually-hidden">${t('control.findings')}</caption>
      <thead><tr><th scope="col">${t('history.when')}</th><th scope="col">${t('history.who')}</th><th scope="col">${t('control.type')}</th>
        <th scope="col">${t('control.outcome')}</th><th scope="col">${t('control.category')}</th><th scope="col">${t('control.note')}</th></tr></thead>
      <tbody>${findings.map((f) => html`<tr><td>${formatDateTime(f.recorded_at)}</td><td>${f.recorded_by}</td>
        <td>${tOr(`control.type.${f.control_type}`, f.control_type)}</td><td>${tOr(`control.outcome.${f.outcome}`, f.outcome)}</td>
        <td>${categoryLabel(f.category)}</td><td>${f.note || ''}</td></tr>`)}</tbody></table></div>`
      : html`<p class="muted">${t('control.findings_none')}</p>`}
    ${underControl && html`<form class="subform" id="finding-form" onSubmit=${recordFinding} novalidate>
      <h3>${t('control.finding.record')}</h3>
      <fieldset class="field checkboxes"><legend>${t('control.outcome')}</legend>
        ${['compliant', 'non_compliant'].map((o) => html`<label class="check"><input type="radio" name="outcome" value=${o}
          checked=${outcome === o} onChange=${() => setOutcome(o)} /> ${t(`control.outcome.${o}`)}</label>`)}
      </fieldset>
      ${outcome === 'non_compliant' && html`<${SelectField} pointer="/finding-category" label=${t('control.category')} value=${category}
        onChange=${setCategory} options=${categories.map((c) => [c, categoryLabel(c)])} empty=${t('common.choose')} required
        error=${errors['finding/category']} />`}
      <${TextField} pointer="/finding-note" label=${t('control.note')} value=${note} onInput=${setNote} error=${errors['finding/note']} />
      ${(errors['finding/'] || errors['finding/outcome']) && html`<p class="field-error">${errors['finding/'] || errors['finding/outcome']}</p>`}
      <button type="submit" class="secondary">${t('control.finding.save')}</button>
    </form>`}
    <h3>${t('control.docs.title')}</h3>
    ${requests.length ? html`<ol class="plain" id="control-doc-requests">${requests.map((r) => html`<li class="doc-request" key=${r.id}>
      <${RequestSummary} req=${r} />
      <${Documents} req=${r} />
      ${r.state === 'answered' && html`<div class="subform">
        <${SelectField} pointer=${`/decision-${r.id}`} label=${t('control.docs.decision')} value=${decision[r.id]?.decision || 'release'}
          onChange=${setDec(r.id, 'decision')} options=${['release', 'physical_control', 'refuse'].map((d) => [d, t(`control.decision.${d}`)])}
          error=${errors[`decide${r.id}/decision`]} />
        ${decision[r.id]?.decision === 'refuse' && html`<${SelectField} pointer=${`/decision-category-${r.id}`} label=${t('control.category')}
          value=${decision[r.id]?.category || ''} onChange=${setDec(r.id, 'category')} options=${categories.map((c) => [c, categoryLabel(c)])}
          empty=${t('common.choose')} error=${errors[`decide${r.id}/category`]} />`}
        <${TextField} pointer=${`/decision-note-${r.id}`} label=${t('control.note')} value=${decision[r.id]?.note || ''}
          onInput=${setDec(r.id, 'note')} error=${errors[`decide${r.id}/note`] || errors[`decide${r.id}/`]} />
        <button type="button" class="secondary" onClick=${() => decide(r)}>${t('control.docs.decide')}</button>
      </div>`}
    </li>`)}</ol>` : html`<p class="muted">${t('control.docs.none')}</p>`}
    ${decl.state === 'under_documentary_control' && html`<form class="subform" id="docreq-form" onSubmit=${requestDocs} novalidate>
      <h3>${t('control.docs.new')}</h3>
      <div class=${`field${errors['docreq/required_documents'] ? ' has-error' : ''}`}>
        <label for="f-required_documents">${t('control.docs.list')}</label>
        <textarea id="f-required_documents" rows="3" value=${docs} onInput=${(e) => setDocs(e.currentTarget.value)}
          aria-describedby=${errors['docreq/required_documents'] ? 'f-required_documents-error' : 'f-required_documents-hint'}
          aria-invalid=${errors['docreq/required_documents'] ? 'true' : undefined}></textarea>
        <p class="hint" id="f-required_documents-hint">${t('control.docs.list_hint')}</p>
        ${errors['docreq/required_documents'] && html`<p class="field-error" id="f-required_documents-error">${errors['docreq/required_documents']}</p>`}
      </div>
      <${TextField} pointer="/docreq-message" label=${t('control.docs.message')} value=${message} onInput=${setMessage}
        error=${errors['docreq/message'] || errors['docreq/']} />
      <button type="submit" class="secondary">${t('control.docs.send')}</button>
    </form>`}
  </section>`;
}

// The trader's side: the document requests of their declaration, with an upload for open ones.
export function TraderDocumentRequests({ decl }) {
  const app = useApp();
  const [tick, setTick] = useState(0);
  const [requests, setRequests] = useState([]);
  const [files, setFiles] = useState({});
  const [errors, setErrors] = useState({});
  useEffect(() => {
    api('GET', `/control/declarations/${decl.id}/document-requests`).then((r) => setRequests(r.items || [])).catch(() => setRequests([]));
  }, [decl.id, tick]);
  if (!requests.length) return null;

  const upload = async (req) => {
    const file = files[req.id];
    setErrors({});
    if (!file) { setErrors({ [req.id]: t('sd.attachments.choose') }); return; }
    if (file.size > MAX_DOCUMENT) { setErrors({ [req.id]: t('error.too_large') }); return; }
    const bytes = new Uint8Array(await file.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    try {
      await api('POST', `/control/document-requests/${req.id}/documents`, { body: { filename: file.name,
        content_type: file.type || 'application/octet-stream', content_base64: btoa(bin) } });
      app.notify(t('control.docs.uploaded'));
      setFiles({ ...files, [req.id]: null });
      setTick(tick + 1);
    } catch (err) {
      if (err.status === 413) setErrors({ [req.id]: t('error.too_large') });
      else if (err.errors.length) setErrors({ [req.id]: err.errors.map(errorText).join(' ') });
      else app.reportError(err);
    }
  };

  return html`<section class="card" aria-labelledby="trader-docs-title" id="trader-doc-requests">
    <h2 id="trader-docs-title">${t('control.docs.trader_title')}</h2>
    <ol class="plain">${requests.map((r) => {
      const id = `f-upload-${r.id}`;
      return html`<li class="doc-request" key=${r.id}>
        <${RequestSummary} req=${r} />
        <${Documents} req=${r} />
        ${r.state !== 'decided' && html`<form class="subform" onSubmit=${(e) => { e.preventDefault(); upload(r); }} novalidate>
          <div class=${`field${errors[r.id] ? ' has-error' : ''}`}>
            <label for=${id}>${t('control.docs.upload_label')}</label>
            <input id=${id} type="file" onChange=${(e) => setFiles({ ...files, [r.id]: e.currentTarget.files[0] || null })}
              aria-invalid=${errors[r.id] ? 'true' : undefined} aria-describedby=${errors[r.id] ? `${id}-error` : undefined} />
            ${errors[r.id] && html`<p class="field-error" id=${`${id}-error`}>${errors[r.id]}</p>`}
          </div>
          <button type="submit" class="secondary">${t('control.docs.upload')}</button>
        </form>`}
      </li>`;
    })}</ol>
  </section>`;
}
