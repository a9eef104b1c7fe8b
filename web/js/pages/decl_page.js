// One declaration: state, MRN, lane, the risk explanation (selectivity: which profile and rule fired
// on which inputs, or the random sample), the taxation amounts computed at acceptance, the goods
// items, violations of a rejected declaration and the transition history. Officers (and admins)
// move it through control with the actions the server allows (release, documentary control,
// physical control, refuse release), each with a reason.
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, tOr, language, locale, formatDateTime, formatMoney } from '../i18n.js';
import { navigate } from '../router.js';
import { useApp, Loading, LoadError, PageTitle, TextField, errorText } from '../ui.js';
import { can } from '../roles.js';
import { LaneTag, DeclStateTag, declStateLabel, laneLabel } from './decl_list.js';
import { ControlPanel, TraderDocumentRequests } from './decl_control.js';
import { FEATURES } from '../features.js';

const OFFICER_ACTIONS = ['release', 'documentary_control', 'physical_control', 'refuse_release'];

// "25.5" (a percentage as an exact decimal string) -> "25,5 %" in the UI language.
function percent(p) {
  if (p === null || p === undefined || p === '') return '—';
  const n = Number(p);
  return Number.isFinite(n) ? new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 4 }).format(n / 100) : String(p);
}

function Money({ v }) {
  if (v === null || v === undefined || v === '') return '—';
  try { return formatMoney(v, 'EUR'); } catch (_) { return String(v); }
}

function RiskExplanation({ sel }) {
  if (!sel || typeof sel !== 'object') return html`<p class="muted">${t('decl.risk.none')}</p>`;
  const hits = Array.isArray(sel.hits) ? sel.hits : [];
  return html`<div id="decl-risk">
    <dl class="details">
      <div class="row"><dt>${t('decl.field.lane')}</dt><dd><${LaneTag} lane=${sel.lane} /></dd></div>
      ${sel.source && html`<div class="row"><dt>${t('decl.risk.source')}</dt><dd>${tOr(`decl.risk.source.${sel.source}`, sel.source)}</dd></div>`}
      ${sel.reason && html`<div class="row"><dt>${t('decl.risk.reason')}</dt><dd>${sel.reason}</dd></div>`}
      ${sel.ruleLane && sel.ruleLane !== sel.lane && html`<div class="row"><dt>${t('decl.risk.rule_lane')}</dt><dd>${laneLabel(sel.ruleLane)}</dd></div>`}
      ${sel.sample && sel.sample.lane && html`<div class="row"><dt>${t('decl.risk.sample')}</dt><dd>${laneLabel(sel.sample.lane)}</dd></div>`}
    </dl>
    ${hits.length > 0 ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t('decl.risk.hits')}><table class="risk-hits">
      <caption>${t('decl.risk.hits')}</caption>
      <thead><tr><th scope="col">${t('decl.risk.profile')}</th><th scope="col">${t('decl.risk.rule')}</th>
        <th scope="col">${t('decl.field.lane')}</th><th scope="col">${t('decl.risk.item')}</th><th scope="col">${t('decl.risk.inputs')}</th></tr></thead>
      <tbody>${hits.map((h) => html`<tr class=${h.decisive ? 'decisive' : ''}>
        <td>${h.profile}${h.version ? ` v${h.version}` : ''}${h.decisive ? html` <span class="tag">${t('decl.risk.decisive')}</span>` : ''}</td>
        <td>${h.rule !== undefined ? `#${h.rule}` : ''} ${h.ruleId ? html`<span class="muted">(${h.ruleId})</span>` : ''}
          ${h.annotation ? html`<div>${h.annotation}</div>` : ''}</td>
        <td><${LaneTag} lane=${h.lane} /></td>
        <td>${h.item ?? '—'}</td>
        <td><ul class="plain">${Object.entries(h.inputs || {}).map(([k, v]) => html`<li><code>${k}</code> = ${String(v)}</li>`)}</ul></td>
      </tr>`)}</tbody></table></div>` : html`<p class="muted">${t('decl.risk.no_hits')}</p>`}
    ${Array.isArray(sel.errors) && sel.errors.length > 0 && html`<p class="form-error">${sel.errors.join('; ')}</p>`}
  </div>`;
}

function Taxes({ taxes }) {
  if (!taxes || typeof taxes !== 'object') return html`<p class="muted">${t('decl.tax.none')}</p>`;
  const items = Array.isArray(taxes.items) ? taxes.items : [];
  return html`<div id="decl-taxes">
    <dl class="details">
      <div class="row"><dt>${t('decl.tax.customs_value')}</dt><dd><${Money} v=${taxes.total_customs_value_eur} /></dd></div>
      <div class="row"><dt>${t('decl.tax.duty')}</dt><dd><${Money} v=${taxes.total_duty} />${taxes.h7_duty_relief ? ` (${t('decl.tax.h7_relief')})` : ''}</dd></div>
      <div class="row"><dt>${t('decl.tax.vat')}</dt><dd><${Money} v=${taxes.total_vat} /></dd></div>
      <div class="row"><dt>${t('decl.tax.total')}</dt><dd><strong><${Money} v=${taxes.total_taxes} /></strong></dd></div>
      ${taxes.currency && taxes.currency !== 'EUR' && html`<div class="row"><dt>${t('decl.tax.rate')}</dt>
        <dd>1 EUR = ${taxes.units_per_eur} ${taxes.currency}${taxes.exchange_rate_date ? ` (${taxes.exchange_rate_date})` : ''}</dd></div>`}
    </dl>
    ${items.length > 0 && html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t('decl.tax.per_item')}><table>
      <caption>${t('decl.tax.per_item')}</caption>
      <thead><tr><th scope="col">#</th><th scope="col">${t('decl.tax.customs_value')}</th><th scope="col">${t('decl.tax.duty_percent')}</th>
        <th scope="col">${t('decl.tax.duty')}</th><th scope="col">${t('decl.tax.vat_percent')}</th><th scope="col">${t('decl.tax.vat')}</th></tr></thead>
      <tbody>${items.map((it, i) => html`<tr><td>${i + 1}</td><td><${Money} v=${it.customs_value_eur} /></td>
        <td>${it.duty_relief ? t('decl.tax.relief') : percent(it.duty_percent)}</td><td><${Money} v=${it.duty} /></td>
        <td>${percent(it.vat_percent)}</td><td><${Money} v=${it.vat} /></td></tr>`)}</tbody>
    </table></div>`}
  </div>`;
}

function OfficerActions({ decl, onDone }) {
  const app = useApp();
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const actions = (decl.allowed_actions || []).filter((a) => OFFICER_ACTIONS.includes(a));
  if (!actions.length) return null;
  const run = async (action) => {
    setError(null);
    if (action === 'refuse_release' && !reason.trim()) { setError(t('decl.actions.reason_required')); return; }
    setBusy(true);
    try {
      const r = await api('POST', `/declarations/${decl.id}/transitions`, { body: reason.trim() ? { action, reason: reason.trim() } : { action } });
      app.notify(t('decl.actions.done', { state: declStateLabel(r.state) }));
      setReason('');
      onDone(r);
    } catch (err) {
      if (err.errors.length) setError(err.errors.map(errorText).join(' '));
      else if (err.status === 409) setError(err.problem?.detail || t('error.conflict'));
      else app.reportError(err);
    }
    setBusy(false);
  };
  return html`<section class="card" aria-labelledby="decl-actions-title" id="decl-actions">
    <h2 id="decl-actions-title">${t('decl.actions.title')}</h2>
    <${TextField} pointer="/reason" label=${t('decl.actions.reason')} value=${reason} onInput=${setReason} error=${error}
      hint=${t('decl.actions.reason_hint')} />
    <div class="actions">${actions.map((a) => html`<button type="button" class=${a === 'release' ? '' : (a === 'refuse_release' ? 'danger' : 'secondary')}
      data-action=${a} disabled=${busy} onClick=${() => run(a)}>${tOr(`decl.action.${a}`, a)}</button>`)}</div>
  </section>`;
}

// A trader's own draft: submit it (validated then: accepted with an MRN, or rejected with its
// violations) or delete it.
function DraftActions({ decl, onDone }) {
  const app = useApp();
  const [busy, setBusy] = useState(false);
  const allowed = decl.allowed_actions || [];
  if (decl.state !== 'draft' || !(allowed.includes('submit') || allowed.includes('delete'))) return null;
  const submit = async () => {
    setBusy(true);
    try {
      const r = await api('POST', `/declarations/${decl.id}/submit`, { headers: { 'Accept-Language': language() } });
      app.notify(t('decl.actions.done', { state: declStateLabel(r.state) }));
      onDone(r);
    } catch (err) {
      app.reportError(err);
    }
    setBusy(false);
  };
  const remove = async () => {
    setBusy(true);
    try {
      await api('DELETE', `/declarations/${decl.id}`);
      navigate('/declarations');
      app.notify(t('decl.draft.deleted'));
    } catch (err) {
      app.reportError(err);
      setBusy(false);
    }
  };
  return html`<section class="card" aria-labelledby="decl-draft-title" id="decl-draft">
    <h2 id="decl-draft-title">${t('decl.draft.title')}</h2>
    <p class="hint">${t('decl.draft.hint')}</p>
    <div class="actions">
      ${allowed.includes('submit') && html`<button type="button" disabled=${busy} onClick=${submit}>${t('decl.draft.submit')}</button>`}
      ${allowed.includes('delete') && html`<button type="button" class="secondary" disabled=${busy} onClick=${remove}>${t('decl.draft.delete')}</button>`}
    </div>
  </section>`;
}

export function DeclarationPage({ id }) {
  const app = useApp();
  const staff = can(app.me, 'staff');
  const [d, setD] = useState(null);
  const [history, setHistory] = useState([]);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let live = true;
    Promise.all([api('GET', `/declarations/${id}`), api('GET', `/declarations/${id}/history`).catch(() => ({ items: [] }))])
      .then(([x, h]) => { if (live) { setD(x); setHistory(h.items || []); } })
      .catch((e) => { if (live) setError(e); });
    return () => { live = false; };
  }, [id, tick]);

  if (error) return html`<section><${PageTitle} text=${t('decl.page.title')} /><${LoadError} error=${error} /></section>`;
  if (!d) return html`<section><${PageTitle} text=${t('decl.page.title')} /><${Loading} /></section>`;
  const dec = d.declaration || {};
  const items = dec.items || [];
  return html`<section aria-labelledby="page-title" class="decl-page">
    <div class="page-head"><div>
      <p class="eyebrow">${tOr(`decl.type.${d.type}`, d.type)}</p>
      <${PageTitle} text=${t('decl.page.heading', { lrn: d.lrn })} />
      <p><${DeclStateTag} state=${d.state} /> <${LaneTag} lane=${d.lane} /></p>
    </div></div>
    <div class="grid">
      <section class="card" aria-labelledby="decl-details-title">
        <h2 id="decl-details-title">${t('decl.page.details')}</h2>
        <dl class="details" id="decl-details">
          <div class="row"><dt>${t('decl.field.mrn')}</dt><dd class="mono" id="decl-mrn">${d.mrn || '—'}</dd></div>
          <div class="row"><dt>${t('decl.field.lrn')}</dt><dd>${d.lrn}</dd></div>
          <div class="row"><dt>${t('decl.field.state')}</dt><dd id="decl-state">${declStateLabel(d.state)}</dd></div>
          <div class="row"><dt>${t('decl.field.lane')}</dt><dd>${laneLabel(d.lane)}</dd></div>
          <div class="row"><dt>${t('decl.field.eori')}</dt><dd class="mono">${dec.declarant?.identification_number || ''}${dec.declarant?.name ? ` – ${dec.declarant.name}` : ''}</dd></div>
          <div class="row"><dt>${t('decl.field.office')}</dt><dd>${dec.office_of_lodgement || '—'}</dd></div>
          <div class="row"><dt>${t('decl.field.route')}</dt><dd>${dec.country_of_dispatch || '?'} → ${dec.country_of_destination || '?'}</dd></div>
          <div class="row"><dt>${t('decl.field.invoice_amount')}</dt><dd>${dec.invoice_amount ? `${dec.invoice_amount} ${dec.invoice_currency || ''}` : '—'}</dd></div>
          <div class="row"><dt>${t('decl.field.created')}</dt><dd>${formatDateTime(d.created_at)}</dd></div>
          ${d.accepted_at && html`<div class="row"><dt>${t('decl.field.accepted')}</dt><dd>${formatDateTime(d.accepted_at)}</dd></div>`}
        </dl>
      </section>
      <section class="card" aria-labelledby="decl-tax-title">
        <h2 id="decl-tax-title">${t('decl.tax.title')}</h2>
        <${Taxes} taxes=${d.taxes} />
      </section>
    </div>
    ${(d.violations || []).length > 0 && html`<section class="card" aria-labelledby="decl-viol-title">
      <h2 id="decl-viol-title">${t('decl.page.violations')}</h2>
      <ul id="decl-violations">${d.violations.map((v) => html`<li><code>${v.pointer}</code>: ${errorText(v)}</li>`)}</ul>
    </section>`}
    ${(staff || d.selectivity) && html`<section class="card" aria-labelledby="decl-risk-title">
      <h2 id="decl-risk-title">${t('decl.risk.title')}</h2>
      <${RiskExplanation} sel=${d.selectivity} />
    </section>`}
    ${!staff && html`<${DraftActions} decl=${d} onDone=${(r) => { setD(r); setTick(tick + 1); }} />`}
    ${!staff && FEATURES.control && html`<${TraderDocumentRequests} decl=${d} />`}
    ${staff && can(app.me, 'officer') && FEATURES.control && html`<${ControlPanel} decl=${d} onDone=${() => setTick(tick + 1)} />`}
    ${staff && can(app.me, 'officer') && html`<${OfficerActions} decl=${d} onDone=${(r) => { setD(r); setTick(tick + 1); }} />`}
    <section class="card" aria-labelledby="decl-items-title">
      <h2 id="decl-items-title">${t('decl.page.items')}</h2>
      <div class="table-wrap" tabindex="0" role="region" aria-label=${t('decl.page.items')}><table id="decl-items">
        <caption class="visually-hidden">${t('decl.page.items')}</caption>
        <thead><tr><th scope="col">#</th><th scope="col">${t('decl.field.commodity_code')}</th><th scope="col">${t('decl.field.description')}</th>
          <th scope="col">${t('decl.field.gross_mass')}</th><th scope="col">${t('decl.field.net_mass')}</th>
          <th scope="col">${t('decl.field.item_amount')}</th><th scope="col">${t('decl.field.country_of_origin')}</th>
          <th scope="col">${t('decl.field.procedure_code')}</th></tr></thead>
        <tbody>${items.map((it, i) => html`<tr><td>${it.sequence || i + 1}</td><td class="mono">${it.commodity_code}</td><td>${it.description}</td>
          <td>${it.gross_mass ?? '—'}</td><td>${it.net_mass ?? '—'}</td><td>${it.item_amount ?? '—'}</td>
          <td>${it.country_of_origin || '—'}</td><td>${it.procedure_code || ''} ${it.additional_procedure || ''}</td></tr>`)}</tbody>
      </table></div>
    </section>
    <section class="card" aria-labelledby="decl-history-title">
      <h2 id="decl-history-title">${t('decl.page.history')}</h2>
      ${history.length ? html`<div class="table-wrap" tabindex="0" role="region" aria-label=${t('decl.page.history')}><table class="history" id="decl-history">
        <caption class="visually-hidden">${t('decl.page.history')}</caption>
        <thead><tr><th scope="col">${t('history.when')}</th><th scope="col">${t('history.who')}</th>
          <th scope="col">${t('decl.field.state')}</th><th scope="col">${t('decl.actions.reason')}</th></tr></thead>
        <tbody>${history.map((h) => html`<tr><td>${formatDateTime(h.at)}</td><td>${h.actor || ''}</td>
          <td>${h.from ? `${declStateLabel(h.from)} → ` : ''}${declStateLabel(h.to)}</td><td>${h.reason || ''}</td></tr>`)}</tbody>
      </table></div>` : html`<p class="muted">${t('decl.page.no_history')}</p>`}
    </section>
    <p><a href="/declarations">${staff ? t('decl.back_queue') : t('decl.back_mine')}</a></p>
  </section>`;
}
