// Organisation page: details, customer relationship, addresses, roles, parent and children,
// contacts and establishments (when the API offers them) and the change history (who, when,
// old -> new, newest first, with "show more").
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, formatDateTime, formatNumber } from '../i18n.js';
import { useApp, Loading, LoadError, PageTitle } from '../ui.js';
import { editableMembers } from '../roles.js';
import { statusLabel, orgRoleLabel, groupLabel, valueClassLabel, addressTypeLabel, languageLabel, fieldLabel,
  formatAddress, formatValue } from '../labels.js';
import { RelatedSections } from './organisation_related.js';

const HISTORY_PAGE = 20;

function Dl({ rows }) {
  return html`<dl class="details">${rows.filter((r) => r).map(([k, v]) => html`<div class="row">
    <dt>${k}</dt><dd>${v === null || v === undefined || v === '' ? '—' : v}</dd></div>`)}</dl>`;
}

function History({ id }) {
  const app = useApp();
  const [entries, setEntries] = useState([]);
  const [next, setNext] = useState(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState(null);
  const load = (before) => {
    setLoading(true);
    api('GET', `/organisations/${id}/history`, { query: { limit: HISTORY_PAGE, before } })
      .then((p) => { setEntries((old) => (before ? [...old, ...p.items] : p.items)); setNext(p.next_before); })
      .catch((e) => { setError(e); app.reportError(e); })
      .finally(() => setLoading(false));
  };
  useEffect(() => load(undefined), [id]);
  const rows = [];
  for (const e of entries) {
    const who = e.actor?.name || t('history.system');
    const when = formatDateTime(e.changed_at);
    // A change whose old and new values read the same (e.g. [] -> null) says nothing: left out.
    const shown = (e.changes || []).filter((c) => formatValue(c.field, c.old) !== formatValue(c.field, c.new));
    const changes = shown.length ? shown : [null];
    changes.forEach((c, i) => rows.push(html`<tr key=${`${e.id}-${i}`}>
      <td>${i === 0 ? when : ''}</td>
      <td>${i === 0 ? who : ''}</td>
      <td>${i === 0 ? t(`history.action.${e.action}`) : ''}</td>
      <td>${c ? fieldLabel(c.field) : '—'}</td>
      <td class="change">${c ? html`<span class="old">${formatValue(c.field, c.old)}</span>
        <span class="arrow" aria-label=${t('history.changed_to')}> → </span>
        <span class="new">${formatValue(c.field, c.new)}</span>` : '—'}</td>
    </tr>`));
  }
  return html`<section class="card" aria-labelledby="history-title" id="history">
    <h2 id="history-title">${t('history.title')}</h2>
    ${error && html`<${LoadError} error=${error} />`}
    ${entries.length === 0 && !loading && !error && html`<p>${t('history.empty')}</p>`}
    ${entries.length > 0 && html`<div class="table-wrap"><table class="history">
      <caption class="visually-hidden">${t('history.title')}</caption>
      <thead><tr><th scope="col">${t('history.when')}</th><th scope="col">${t('history.who')}</th>
        <th scope="col">${t('history.action')}</th><th scope="col">${t('history.field')}</th>
        <th scope="col">${t('history.change')}</th></tr></thead>
      <tbody>${rows}</tbody></table></div>`}
    ${loading && html`<${Loading} />`}
    ${next && !loading && html`<button type="button" class="secondary" onClick=${() => load(next)}>
      ${t('history.more')}</button>`}
  </section>`;
}

function ParentAndChildren({ org }) {
  const [parent, setParent] = useState(null);
  const [children, setChildren] = useState(null);
  useEffect(() => {
    setParent(null);
    if (org.parent_id) {
      api('GET', `/organisations/${org.parent_id}`).then(setParent).catch(() => setParent({ id: org.parent_id }));
    }
    api('GET', '/organisations', { query: { parent_id: org.id, limit: 100 } })
      .then((p) => setChildren(p)).catch(() => setChildren({ items: [] }));
  }, [org.id, org.parent_id]);
  return html`<section class="card" aria-labelledby="hierarchy-title">
    <h2 id="hierarchy-title">${t('org.hierarchy')}</h2>
    <h3>${t('field.parent_id')}</h3>
    ${!org.parent_id ? html`<p>${t('org.no_parent')}</p>`
      : html`<p><a href=${`/organisations/${org.parent_id}`}>${parent?.name || `#${org.parent_id}`}</a></p>`}
    <h3>${t('org.children')}</h3>
    ${children === null ? html`<${Loading} />`
      : children.items.length === 0 ? html`<p>${t('org.no_children')}</p>`
        : html`<ul>${children.items.map((c) => html`<li key=${c.id}>
            <a href=${`/organisations/${c.id}`}>${c.name}</a></li>`)}</ul>
          ${children.next_cursor && html`<p class="muted">${t('org.more_children')}</p>`}`}
  </section>`;
}

export function OrganisationPage({ id }) {
  const app = useApp();
  const [org, setOrg] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setOrg(null);
    setError(null);
    api('GET', `/organisations/${encodeURIComponent(id)}`).then(setOrg).catch((e) => setError(e));
  }, [id]);

  if (error) return html`<section><${PageTitle} text=${t('org.title')} /><${LoadError} error=${error} /></section>`;
  if (!org) return html`<section><${PageTitle} text=${t('org.title')} /><${Loading} /></section>`;

  const editable = editableMembers(app.me, org);
  const hasRelationship = 'customer_group' in org || 'value_class' in org || 'kam_user_id' in org;
  return html`<article aria-labelledby="page-title">
    <div class="page-head">
      <div>
        <p class="eyebrow">${t('org.title')}</p>
        <${PageTitle} text=${org.name} />
        <p><span class=${`tag status-${org.status}`}>${statusLabel(org.status)}</span>
          ${org.customer_group && html` <span class="tag">${groupLabel(org.customer_group)}</span>`}</p>
      </div>
      ${editable && html`<a class="button" href=${`/organisations/${org.id}/edit`}>${t('org.edit')}</a>`}
    </div>
    <div class="grid">
      <section class="card" aria-labelledby="details-title">
        <h2 id="details-title">${t('org.details')}</h2>
        <${Dl} rows=${[
          [t('field.business_id'), org.business_id],
          org.foreign_registry_id && [t('field.foreign_registry_id'), org.foreign_registry_id],
          [t('field.eori'), org.eori],
          [t('field.vat_number'), org.vat_number],
          [t('field.sector_segment'), org.sector_segment],
          [t('field.roles'), (org.roles || []).map(orgRoleLabel).join(', ')],
          [t('field.languages'), (org.languages || []).map(languageLabel).join(', ')],
          [t('field.created_at'), formatDateTime(org.created_at)],
          [t('field.updated_at'), formatDateTime(org.updated_at)],
          [t('field.version'), formatNumber(org.version)],
        ]} />
      </section>
      ${hasRelationship && html`<section class="card" aria-labelledby="relationship-title">
        <h2 id="relationship-title">${t('org.relationship')}</h2>
        <${Dl} rows=${[
          [t('field.customer_group'), org.customer_group ? groupLabel(org.customer_group) : null],
          [t('field.value_class'), org.value_class ? valueClassLabel(org.value_class) : null],
          [t('field.kam_user_id'), org.kam_name || (org.kam_user_id ? t('org.user_ref', { id: org.kam_user_id }) : null)],
          [t('field.account_team'), (org.account_team_names || org.account_team || [])
            .map((u) => (typeof u === 'object' ? u.name : t('org.user_ref', { id: u }))).join(', ')],
        ]} />
      </section>`}
      <section class="card" aria-labelledby="addresses-title">
        <h2 id="addresses-title">${t('field.addresses')}</h2>
        ${(org.addresses || []).length === 0 ? html`<p>${t('org.no_addresses')}</p>`
          : html`<ul class="plain">${org.addresses.map((a, i) => html`<li key=${i}>
              <strong>${addressTypeLabel(a.type)}</strong><br />${formatAddress(a)}</li>`)}</ul>`}
      </section>
      <${ParentAndChildren} org=${org} />
    </div>
    <${RelatedSections} org=${org} />
    <${History} id=${org.id} key=${org.version} />
  </article>`;
}
