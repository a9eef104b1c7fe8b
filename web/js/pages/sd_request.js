// One service request: details, e-form answers, SLA timer, the thread (public replies and, for
// staff only, internal notes, shown apart), attachments, and the forms to answer. Staff also see
// the routing decision and may reply with a canned response, write an internal note, change the
// status, assign (group and agent) and escalate. A trader may reply, attach files, and close or
// re-open a resolved request. Every action answers the request, which replaces the one shown.
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, tOr, language, formatDate, formatDateTime, formatNumber } from '../i18n.js';
import { useApp, Loading, LoadError, PageTitle, SelectField, TextField, errorsByPointer, errorText } from '../ui.js';
import { can } from '../roles.js';
import { SD_TIERS, sdStatusLabel, sdTierLabel, sdPriorityLabel, sdChannelLabel, useCatalogue, useNow, SlaTimer,
  StatusTag, localized, slaInfo } from './sd_common.js';

const TIER_ORDER = SD_TIERS;
const MAX_UPLOAD = 1024 * 1024;

// The e-form answers as label: value, using the type's form definition for labels and options.
function FormAnswers({ req, types }) {
  const form = req.form || {};
  const keys = Object.keys(form);
  if (!keys.length) return null;
  const type = types.find((x) => x.key === req.type);
  const fields = type && type.form_version === req.form_version ? type.form.fields : (type?.form?.fields || []);
  const show = (f, v) => {
    if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
    const opt = (x) => localized((f?.options || []).find((o) => o.value === x)?.label, String(x));
    if (Array.isArray(v)) return v.map(opt).join(', ');
    if (f?.type === 'select') return opt(v);
    if (f?.type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(String(v))) return formatDate(`${v}T12:00:00Z`);
    return String(v);
  };
  return html`<section class="card" aria-labelledby="form-answers-title">
    <h2 id="form-answers-title">${t('sd.request.form_title')}</h2>
    <dl class="details" id="form-answers">${keys.map((k) => {
      const f = fields.find((x) => x.key === k);
      return html`<div class="row"><dt>${f ? localized(f.label, k) : k}</dt><dd>${show(f, form[k])}</dd></div>`;
    })}</dl>
  </section>`;
}

function Thread({ messages, staff }) {
  if (!messages.length) return html`<p class="muted">${t('sd.thread.empty')}</p>`;
  return html`<ol class="thread" id="sd-thread">${messages.map((m) => {
    const note = m.kind === 'note';
    const who = note ? t('sd.thread.note') : (m.direction === 'agent' ? t('sd.thread.from_service') : t('sd.thread.from_customer'));
    return html`<li key=${m.id} class=${`msg ${note ? 'msg-note' : `msg-reply msg-${m.direction}`}`} data-kind=${m.kind}>
      <article aria-label=${`${who}: ${m.author_name || ''}`}>
        <header class="msg-head">
          <span class="msg-kind">${who}</span>
          <span class="msg-author">${m.author_name || ''}</span>
          <span class="muted">${sdChannelLabel(m.channel)} · <time dateTime=${m.created_at}>${formatDateTime(m.created_at)}</time></span>
        </header>
        <div class="msg-body">${m.body}</div>
      </article></li>`;
  })}</ol>
  ${staff && html`<p class="hint">${t('sd.thread.notes_hint')}</p>`}`;
}

// Reply (public) or internal note (staff); staff may start from a canned response and change the
// status with the reply.
function Composer({ req, staff, canWork, onDone }) {
  const app = useApp();
  const [kind, setKind] = useState('reply');
  const [text, setText] = useState('');
  const [status, setStatus] = useState('');
  const [canned, setCanned] = useState([]);
  const [cannedId, setCannedId] = useState('');
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!canWork) return;
    api('GET', '/servicedesk/canned-responses').then((r) => setCanned(r.items || [])).catch(() => setCanned([]));
  }, [canWork]);

  const useCanned = async (id) => {
    setCannedId(id);
    if (!id) return;
    try {
      const r = await api('GET', `/servicedesk/requests/${req.id}/canned-responses/${id}`);
      setText(r.body || '');
      setKind('reply');
    } catch (e) {
      app.reportError(e);
    }
  };

  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    if (!text.trim()) { setError(t('error.code.required')); return; }
    setSaving(true);
    try {
      if (kind === 'note') {
        await api('POST', `/servicedesk/requests/${req.id}/notes`, { body: { body: text.trim() } });
        app.notify(t('sd.note.saved'));
      } else {
        const body = { body: text.trim() };
        if (status) body.status = status;
        const r = await api('POST', `/servicedesk/requests/${req.id}/replies`, { body });
        app.notify(r && r.follow_up ? t('sd.reply.follow_up', { number: r.request?.number || '' }) : t('sd.reply.sent'));
      }
      setText('');
      setStatus('');
      setCannedId('');
      onDone();
    } catch (err) {
      if (err.status === 422 && err.errors.length) setError(Object.values(errorsByPointer(err)).join(' '));
      else app.reportError(err);
    }
    setSaving(false);
  };

  if (staff && !canWork) return null;
  const lang = language();
  const cannedOptions = canned.filter((c) => !c.group || c.group === req.group)
    .sort((a, b) => (a.language === lang ? 0 : 1) - (b.language === lang ? 0 : 1))
    .map((c) => [String(c.id), `${c.name} (${c.language})`]);
  return html`<form class=${`card composer${kind === 'note' ? ' composing-note' : ''}`} id="sd-composer" onSubmit=${submit} novalidate
      aria-labelledby="composer-title">
    <h2 id="composer-title">${staff ? t('sd.composer.title_staff') : t('sd.composer.title')}</h2>
    ${staff && html`<fieldset class="field checkboxes"><legend>${t('sd.composer.kind')}</legend>
      <label class="check"><input type="radio" name="kind" value="reply" checked=${kind === 'reply'} onChange=${() => setKind('reply')} />
        ${t('sd.composer.reply')}</label>
      <label class="check"><input type="radio" name="kind" value="note" checked=${kind === 'note'} onChange=${() => setKind('note')} />
        ${t('sd.composer.note')}</label>
    </fieldset>`}
    ${staff && kind === 'reply' && cannedOptions.length > 0 && html`<${SelectField} pointer="/canned_response_id"
      label=${t('sd.composer.canned')} value=${cannedId} onChange=${useCanned} options=${cannedOptions} empty=${t('common.choose')} />`}
    <div class=${`field${error ? ' has-error' : ''}`}>
      <label for="f-message">${kind === 'note' ? t('sd.composer.note_text') : t('sd.composer.reply_text')}</label>
      <textarea id="f-message" rows="5" value=${text} onInput=${(e) => setText(e.currentTarget.value)}
        aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? 'f-message-error' : 'f-message-hint'}></textarea>
      ${!error && html`<p class="hint" id="f-message-hint">${kind === 'note' ? t('sd.composer.note_hint')
        : (staff ? t('sd.composer.reply_hint_staff') : t('sd.composer.reply_hint'))}</p>`}
      ${error && html`<p class="field-error" id="f-message-error">${error}</p>`}
    </div>
    ${staff && kind === 'reply' && (req.allowed_transitions || []).length > 0 && html`<${SelectField} pointer="/status"
      label=${t('sd.composer.status_after')} value=${status} onChange=${setStatus}
      options=${req.allowed_transitions.map((s) => [s, sdStatusLabel(s)])} empty=${t('sd.composer.status_keep')} />`}
    <button type="submit" disabled=${saving}>${kind === 'note' ? t('sd.composer.save_note') : t('sd.composer.send')}</button>
  </form>`;
}

// Staff actions: status, assignment, escalation.
function StaffActions({ req, me, groups, onChanged }) {
  const app = useApp();
  const [status, setStatus] = useState('');
  const [comment, setComment] = useState('');
  const [group, setGroup] = useState(req.group || '');
  const [assignee, setAssignee] = useState('keep');
  const [reason, setReason] = useState('');
  const [escGroup, setEscGroup] = useState('');
  const [errors, setErrors] = useState({});

  const run = async (key, path, body, done) => {
    setErrors({});
    try {
      const r = await api('POST', `/servicedesk/requests/${req.id}/${path}`, { body });
      app.notify(done);
      onChanged(r && r.id ? r : null);
    } catch (err) {
      if (err.status === 422 && err.errors.length) {
        const e = {};
        for (const [p, m] of Object.entries(errorsByPointer(err))) e[`${key}${p}`] = m;
        setErrors(e);
        if (!Object.keys(e).length) app.reportError(err);
      } else if (err.status === 409) {
        setErrors({ [`${key}/`]: err.problem?.detail || t('error.conflict') });
      } else app.reportError(err);
    }
  };

  const nextTier = TIER_ORDER[TIER_ORDER.indexOf(req.tier) + 1];
  const nextGroups = groups.filter((g) => g.tier === nextTier);
  const closed = req.status === 'closed';
  const assigneeBody = () => {
    const body = {};
    if (group && group !== req.group) body.group = group;
    if (assignee === 'me') body.assignee_id = me.id;
    if (assignee === 'none') body.assignee_id = null;
    return body;
  };
  return html`<section class="card" aria-labelledby="actions-title" id="sd-actions">
    <h2 id="actions-title">${t('sd.actions.title')}</h2>
    ${(req.allowed_transitions || []).length > 0 && html`<form class="subform" onSubmit=${(e) => { e.preventDefault();
      if (status) run('status', 'status', comment.trim() ? { status, comment: comment.trim() } : { status }, t('sd.actions.status_done')); }}>
      <h3>${t('sd.actions.status')}</h3>
      <${SelectField} pointer="/status-new" label=${t('sd.actions.new_status')} value=${status} onChange=${setStatus}
        options=${req.allowed_transitions.map((s) => [s, sdStatusLabel(s)])} empty=${t('common.choose')}
        error=${errors['status/status'] || errors['status/']} />
      <${TextField} pointer="/status-comment" label=${t('sd.actions.comment')} value=${comment} onInput=${setComment}
        hint=${t('sd.actions.comment_hint')} error=${errors['status/comment']} />
      <button type="submit" class="secondary" disabled=${!status}>${t('sd.actions.change_status')}</button>
    </form>`}
    ${!closed && html`<form class="subform" onSubmit=${(e) => { e.preventDefault();
      const body = assigneeBody();
      if (Object.keys(body).length) run('assign', 'assign', body, t('sd.actions.assign_done')); }}>
      <h3>${t('sd.actions.assign')}</h3>
      <${SelectField} pointer="/assign-group" label=${t('sd.field.group')} value=${group} onChange=${setGroup}
        options=${groups.map((g) => [g.key, `${localized(g.names, g.key)} (${sdTierLabel(g.tier)})`])} error=${errors['assign/group']} />
      <${SelectField} pointer="/assign-assignee" label=${t('sd.field.assignee')} value=${assignee} onChange=${setAssignee}
        options=${[['keep', req.assignee_name ? t('sd.assignee.keep', { name: req.assignee_name }) : t('sd.assignee.keep_none')],
          ['me', t('sd.assignee.to_me')], ['none', t('sd.assignee.unassign')]]} error=${errors['assign/assignee_id']} />
      <button type="submit" class="secondary">${t('sd.actions.assign_button')}</button>
    </form>`}
    ${!closed && nextTier && html`<form class="subform" onSubmit=${(e) => { e.preventDefault();
      run('escalate', 'escalate', escGroup ? { reason: reason.trim(), group: escGroup } : { reason: reason.trim() }, t('sd.actions.escalate_done')); }}>
      <h3>${t('sd.actions.escalate')}</h3>
      <p class="hint">${t('sd.actions.escalate_hint', { tier: sdTierLabel(nextTier) })}</p>
      <${TextField} pointer="/escalate-reason" label=${t('sd.actions.reason')} value=${reason} onInput=${setReason} required
        error=${errors['escalate/reason'] || errors['escalate/']} />
      ${nextGroups.length > 1 && html`<${SelectField} pointer="/escalate-group" label=${t('sd.field.group')} value=${escGroup}
        onChange=${setEscGroup} options=${nextGroups.map((g) => [g.key, localized(g.names, g.key)])}
        empty=${t('sd.actions.default_group')} error=${errors['escalate/group']} />`}
      <button type="submit" class="secondary">${t('sd.actions.escalate_button')}</button>
    </form>`}
  </section>`;
}

function Attachments({ req, items, canUpload, onDone }) {
  const app = useApp();
  const [file, setFile] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const upload = async (e) => {
    e.preventDefault();
    setError(null);
    if (!file) { setError(t('sd.attachments.choose')); return; }
    if (file.size > MAX_UPLOAD) { setError(t('error.too_large')); return; }
    setBusy(true);
    try {
      await api('POST', `/servicedesk/requests/${req.id}/attachments`, { query: { filename: file.name },
        raw: await file.arrayBuffer(), contentType: file.type || 'application/octet-stream' });
      app.notify(t('sd.attachments.added'));
      setFile(null);
      e.target.reset();
      onDone();
    } catch (err) {
      if (err.status === 413) setError(t('error.too_large'));
      else if (err.errors.length) setError(err.errors.map(errorText).join(' '));
      else app.reportError(err);
    }
    setBusy(false);
  };
  return html`<section class="card" aria-labelledby="attachments-title">
    <h2 id="attachments-title">${t('sd.attachments.title')}</h2>
    ${items.length ? html`<ul class="plain" id="sd-attachments">${items.map((a) => html`<li key=${a.id}>
      <a href=${`/api/v1/servicedesk/requests/${req.id}/attachments/${a.id}`} download=${a.filename || a.name || ''}>
        ${a.filename || a.name || `#${a.id}`}</a>
      <span class="muted"> ${a.size !== undefined ? `${formatNumber(Math.ceil(a.size / 1024))} kB` : ''}
        ${a.internal ? ` · ${t('sd.attachments.internal')}` : ''}</span></li>`)}</ul>`
      : html`<p class="muted">${t('sd.attachments.none')}</p>`}
    ${canUpload && html`<form class="subform" onSubmit=${upload} novalidate>
      <div class=${`field${error ? ' has-error' : ''}`}>
        <label for="f-attachment">${t('sd.attachments.file')}</label>
        <input id="f-attachment" type="file" onChange=${(e) => setFile(e.currentTarget.files[0] || null)}
          aria-invalid=${error ? 'true' : undefined} aria-describedby=${error ? 'f-attachment-error' : 'f-attachment-hint'} />
        <p class="hint" id="f-attachment-hint">${t('sd.attachments.hint')}</p>
        ${error && html`<p class="field-error" id="f-attachment-error">${error}</p>`}
      </div>
      <button type="submit" class="secondary" disabled=${busy}>${t('sd.attachments.upload')}</button>
    </form>`}
  </section>`;
}

export function ServiceRequestPage({ id }) {
  const app = useApp();
  const staff = can(app.me, 'staff');
  const canWork = can(app.me, 'servicedesk_work');
  const [req, setReq] = useState(null);
  const [messages, setMessages] = useState(null);
  const [attachments, setAttachments] = useState([]);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  const cat = useCatalogue();
  const now = useNow();

  useEffect(() => {
    let live = true;
    Promise.all([
      api('GET', `/servicedesk/requests/${id}`),
      api('GET', `/servicedesk/requests/${id}/messages`),
      api('GET', `/servicedesk/requests/${id}/attachments`).catch(() => ({ items: [] })),
    ]).then(([r, m, a]) => {
      if (!live) return;
      setReq(r);
      setMessages(m.items || []);
      setAttachments(a.items || []);
    }).catch((e) => { if (live) setError(e); });
    return () => { live = false; };
  }, [id, tick]);

  const reload = () => setTick(tick + 1);

  const traderStatus = async (status) => {
    try {
      await api('POST', `/servicedesk/requests/${id}/status`, { body: { status } });
      app.notify(t('sd.actions.status_done'));
      reload();
    } catch (e) {
      app.reportError(e);
    }
  };

  if (error) return html`<section><${PageTitle} text=${t('sd.request.title')} /><${LoadError} error=${error} /></section>`;
  if (!req) return html`<section><${PageTitle} text=${t('sd.request.title')} /><${Loading} /></section>`;
  const sla = slaInfo(req, now);
  return html`<section aria-labelledby="page-title" class="sd-request">
    <div class="page-head">
      <div>
        <p class="eyebrow">${req.number} · ${cat.typeName(req.type)}</p>
        <${PageTitle} text=${req.subject} />
        <p><${StatusTag} status=${req.status} /> <span id="sd-sla"><${SlaTimer} req=${req} now=${now} detailed /></span></p>
      </div>
      ${!staff && req.status === 'resolved' && html`<div class="actions">
        ${(req.allowed_transitions || []).includes('closed') && html`<button type="button" class="secondary" onClick=${() => traderStatus('closed')}>
          ${t('sd.trader.close')}</button>`}
        ${(req.allowed_transitions || []).includes('open') && html`<button type="button" class="secondary" onClick=${() => traderStatus('open')}>
          ${t('sd.trader.reopen')}</button>`}
      </div>`}
    </div>
    <div class="grid">
      <section class="card" aria-labelledby="details-title">
        <h2 id="details-title">${t('sd.request.details')}</h2>
        <dl class="details" id="sd-details">
          ${staff && html`<div class="row"><dt>${t('sd.field.organisation')}</dt><dd>
            <a href=${`/organisations/${req.organisation_id}`}>${req.organisation_name || req.organisation_id}</a></dd></div>`}
          <div class="row"><dt>${t('sd.field.requester')}</dt><dd>${req.requester?.name || '—'}${req.requester?.email ? ` <${req.requester.email}>` : ''}</dd></div>
          <div class="row"><dt>${t('sd.field.channel')}</dt><dd>${sdChannelLabel(req.channel)}</dd></div>
          <div class="row"><dt>${t('sd.field.priority')}</dt><dd>${sdPriorityLabel(req.priority)}</dd></div>
          ${staff && html`<div class="row"><dt>${t('sd.field.group')}</dt><dd id="sd-group">${cat.groupName(req.group)}</dd></div>`}
          <div class="row"><dt>${t('sd.field.tier')}</dt><dd>${sdTierLabel(req.tier)}</dd></div>
          ${staff && html`<div class="row"><dt>${t('sd.field.assignee')}</dt><dd id="sd-assignee">${req.assignee_name || t('sd.assignee.none')}</dd></div>`}
          <div class="row"><dt>${t('sd.field.created')}</dt><dd>${formatDateTime(req.created_at)}</dd></div>
          ${req.first_response_at && html`<div class="row"><dt>${t('sd.field.first_response')}</dt><dd>${formatDateTime(req.first_response_at)}</dd></div>`}
          ${req.sla?.policy_name && html`<div class="row"><dt>${t('sd.field.sla_policy')}</dt><dd id="sd-sla-policy">${req.sla.policy_name}</dd></div>`}
          ${sla.due && html`<div class="row"><dt>${t('sd.field.due')}</dt><dd>${formatDateTime(sla.due.toISOString())}</dd></div>`}
          ${sla.metrics.map((m) => html`<div class="row"><dt>${tOr(`sd.sla.metric.${m.name}`, m.name)}</dt>
            <dd>${tOr(`sd.sla.state.${m.state}`, m.state)}${m.due ? ` · ${formatDateTime(m.due.toISOString())}` : ''}</dd></div>`)}
          ${req.resolved_at && html`<div class="row"><dt>${t('sd.field.resolved')}</dt><dd>${formatDateTime(req.resolved_at)}</dd></div>`}
          ${(req.tags || []).length > 0 && html`<div class="row"><dt>${t('sd.field.tags')}</dt><dd>${req.tags.map((x) => html`<span class="tag">${x}</span> `)}</dd></div>`}
          ${staff && req.routing && html`<div class="row"><dt>${t('sd.field.routing')}</dt><dd id="sd-routing">
            ${req.routing.group ? cat.groupName(req.routing.group) : ''}${req.routing.reason ? ` – ${req.routing.reason}` : ''}
            ${req.routing.ruleset ? html` <span class="muted">(${req.routing.ruleset}${req.routing.version ? ` v${req.routing.version}` : ''})</span>` : ''}</dd></div>`}
        </dl>
      </section>
      <section class="card" aria-labelledby="description-title">
        <h2 id="description-title">${t('sd.field.description')}</h2>
        <div class="msg-body">${req.body}</div>
      </section>
    </div>
    <${FormAnswers} req=${req} types=${cat.types} />
    <section class="card" aria-labelledby="thread-title">
      <h2 id="thread-title">${t('sd.thread.title')}</h2>
      ${messages === null ? html`<${Loading} />` : html`<${Thread} messages=${messages} staff=${staff} />`}
    </section>
    <${Composer} req=${req} staff=${staff} canWork=${canWork} onDone=${reload} />
    ${staff && canWork && html`<${StaffActions} req=${req} me=${app.me} groups=${cat.groups}
      onChanged=${(r) => { if (r) setReq(r); reload(); }} />`}
    <${Attachments} req=${req} items=${attachments} canUpload=${!staff || canWork} onDone=${reload} />
    <p><a href="/servicedesk">${staff ? t('sd.back_queue') : t('sd.back_mine')}</a></p>
  </section>`;
}
