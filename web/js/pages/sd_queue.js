// Service desk list. Staff: the agent queue (GET /servicedesk/requests) filtered by status, group,
// tier, agent and SLA state, ordered by SLA due time (the server's order), with the SLA state and
// the time left on each row. A trader: "my requests" (the same endpoint, scoped by the server to
// their organisation) with the status and the SLA timer. The filters are kept in the URL.
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, formatDateTime, formatNumber } from '../i18n.js';
import { navigate } from '../router.js';
import { useApp, Loading, LoadError, PageTitle, SelectField } from '../ui.js';
import { can } from '../roles.js';
import { FEATURES } from '../features.js';
import { SD_STATUSES, SD_OPEN_STATUSES, SD_TIERS, SLA_STATES, sdStatusLabel, sdTierLabel, sdPriorityLabel,
  useCatalogue, useNow, SlaTimer, StatusTag, localized } from './sd_common.js';

const PAGE_SIZE = 50;
const STAFF_FILTERS = ['status', 'group', 'tier', 'assignee', 'sla_state', 'q'];
const TRADER_FILTERS = ['status'];

function readState(route, filters) {
  const s = {};
  for (const f of filters) s[f] = route.query.get(f) || '';
  return s;
}

function urlFor(state) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v) p.set(k, v);
  const s = p.toString();
  return `/servicedesk${s ? `?${s}` : ''}`;
}

export function ServiceDeskQueuePage({ route }) {
  const app = useApp();
  const staff = can(app.me, 'staff');
  const filters = staff ? STAFF_FILTERS : TRADER_FILTERS;
  const [state, setState] = useState(() => readState(route, filters));
  const [typed, setTyped] = useState(state.q || '');
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const cat = useCatalogue();
  const now = useNow();

  const params = (cursor) => ({ ...state, limit: PAGE_SIZE, cursor: cursor || undefined });

  useEffect(() => {
    if (!FEATURES.servicedesk) return undefined;
    const ctl = new AbortController();
    setError(null);
    api('GET', '/servicedesk/requests', { query: params(null), signal: ctl.signal })
      .then((r) => { setItems(r.items || []); setNext(r.next_cursor || null); })
      .catch((e) => { if (e.name !== 'AbortError') { setError(e); setItems([]); } });
    return () => ctl.abort();
  }, [JSON.stringify(state)]);

  // Text search: applied after a pause in typing.
  useEffect(() => {
    if (!staff || typed.trim() === (state.q || '')) return undefined;
    const timer = setTimeout(() => change('q', typed.trim()), 300);
    return () => clearTimeout(timer);
  }, [typed]);

  const change = (k, v) => {
    const s = { ...state, [k]: v };
    setState(s);
    navigate(urlFor(s), { replace: true });
  };

  const more = async () => {
    setLoadingMore(true);
    try {
      const r = await api('GET', '/servicedesk/requests', { query: params(next) });
      setItems([...items, ...(r.items || [])]);
      setNext(r.next_cursor || null);
    } catch (e) {
      app.reportError(e);
    }
    setLoadingMore(false);
  };

  const title = staff ? t('sd.queue.title') : t('sd.mine.title');
  if (!FEATURES.servicedesk) {
    return html`<section><${PageTitle} text=${title} /><p>${t('sd.unavailable')}</p></section>`;
  }
  const statusOptions = [[SD_OPEN_STATUSES, t('sd.filter.unresolved')], ...SD_STATUSES.map((s) => [s, sdStatusLabel(s)])];
  return html`<section aria-labelledby="page-title">
    <div class="page-head">
      <div><${PageTitle} text=${title} /><p class="muted">${staff ? t('sd.queue.intro') : t('sd.mine.intro')}</p></div>
      ${!staff && html`<a class="button" href="/servicedesk/new">${t('nav.new_request')}</a>`}
    </div>
    <form class="search-panel" role="search" aria-label=${t('sd.filter.label')} onSubmit=${(e) => e.preventDefault()}>
      ${staff && html`<div class="field search-field">
        <label for="sd-search">${t('sd.filter.q')}</label>
        <input id="sd-search" type="search" value=${typed} onInput=${(e) => setTyped(e.currentTarget.value)} />
      </div>`}
      <div class="filters">
        <${SelectField} pointer="/filter/status" label=${t('sd.field.status')} value=${state.status}
          onChange=${(v) => change('status', v)} options=${statusOptions} empty=${t('common.all')} />
        ${staff && html`
          <${SelectField} pointer="/filter/group" label=${t('sd.field.group')} value=${state.group}
            onChange=${(v) => change('group', v)} options=${cat.groups.map((g) => [g.key, localized(g.names, g.key)])}
            empty=${t('common.all')} />
          <${SelectField} pointer="/filter/tier" label=${t('sd.field.tier')} value=${state.tier}
            onChange=${(v) => change('tier', v)} options=${SD_TIERS.map((x) => [x, sdTierLabel(x)])} empty=${t('common.all')} />
          <${SelectField} pointer="/filter/assignee" label=${t('sd.field.assignee')} value=${state.assignee}
            onChange=${(v) => change('assignee', v)} options=${[['me', t('sd.assignee.me')], ['none', t('sd.assignee.none')]]}
            empty=${t('common.all')} />
          <${SelectField} pointer="/filter/sla_state" label=${t('sd.field.sla')} value=${state.sla_state}
            onChange=${(v) => change('sla_state', v)} options=${SLA_STATES.map((x) => [x, t(`sd.sla.state.${x}`)])}
            empty=${t('common.all')} />`}
      </div>
    </form>
    ${error && html`<${LoadError} error=${error} />`}
    ${items === null ? html`<${Loading} />` : html`
      <p class="result-count" role="status">${items.length
        ? t(next ? 'sd.count_more' : 'sd.count', { n: formatNumber(items.length) }) : t('sd.none')}</p>
      ${items.length > 0 && html`<div class="table-wrap"><table class="results" id="sd-queue">
        <caption class="visually-hidden">${title}</caption>
        <thead><tr>
          <th scope="col">${t('sd.field.number')}</th><th scope="col">${t('sd.field.subject')}</th>
          ${staff && html`<th scope="col">${t('sd.field.organisation')}</th>`}
          <th scope="col">${t('sd.field.type')}</th><th scope="col">${t('sd.field.status')}</th>
          ${staff && html`<th scope="col">${t('sd.field.group')}</th><th scope="col">${t('sd.field.assignee')}</th>
            <th scope="col">${t('sd.field.priority')}</th>`}
          <th scope="col">${staff ? t('sd.field.sla_due') : t('sd.field.sla')}</th>${!staff && html`<th scope="col">${t('sd.field.created')}</th>`}
        </tr></thead>
        <tbody>${items.map((r) => html`<tr key=${r.id} data-number=${r.number}>
          <td class="nowrap"><a class="result-link" href=${`/servicedesk/${r.id}`}>${r.number}</a></td>
          <td>${r.subject}</td>
          ${staff && html`<td>${r.organisation_name || ''}</td>`}
          <td>${cat.typeName(r.type)}</td>
          <td><${StatusTag} status=${r.status} /></td>
          ${staff && html`<td>${cat.groupName(r.group)}<div class="muted">${sdTierLabel(r.tier)}</div></td>
            <td>${r.assignee_name || html`<span class="muted">${t('sd.assignee.none')}</span>`}</td>
            <td>${sdPriorityLabel(r.priority)}</td>`}
          <td><${SlaTimer} req=${r} now=${now} />
            ${staff && r.due_at && !r.due_at.startsWith('9999') && html`<div class="muted small"><time dateTime=${r.due_at}>${formatDateTime(r.due_at)}</time></div>`}</td>
          ${!staff && html`<td>${formatDateTime(r.created_at)}</td>`}
        </tr>`)}</tbody>
      </table></div>`}
      ${next && html`<div class="pager"><button type="button" class="secondary" onClick=${more} disabled=${loadingMore}>
        ${t('sd.show_more')}</button></div>`}`}
  </section>`;
}
