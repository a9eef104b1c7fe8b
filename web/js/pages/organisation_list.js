// Organisation list: search as you type (debounced, cancels stale requests), filters, keyset
// paging with next/previous, and keyboard navigation from the search box into the results
// (ArrowDown/ArrowUp move between result links, Escape returns to the search box).
import { html, useState, useEffect, useRef } from '../lib.js';
import { api } from '../api.js';
import { t, formatNumber } from '../i18n.js';
import { navigate } from '../router.js';
import { useApp, Loading, LoadError, PageTitle, SelectField } from '../ui.js';
import { can } from '../roles.js';
import { ORG_STATUSES, ORG_ROLES, CUSTOMER_GROUPS, VALUE_CLASSES, statusLabel, orgRoleLabel, groupLabel, valueClassLabel }
  from '../labels.js';

export const PAGE_SIZE = 25;
const DEBOUNCE_MS = 250;
// Query parameters of GET /api/v1/organisations that the list offers as filters (issue 4: group,
// value class, role, status); the server validates them (422 with /query/<name> pointers).
const FILTERS = ['status', 'role', 'customer_group', 'value_class'];

function readState(route) {
  const s = { q: route.query.get('q') || '' };
  for (const f of FILTERS) s[f] = route.query.get(f) || '';
  return s;
}

function urlFor(state) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v) p.set(k, v);
  const s = p.toString();
  return `/organisations${s ? `?${s}` : ''}`;
}

function primaryCity(o) {
  const a = (o.addresses || []).find((x) => x.type === 'postal') || (o.addresses || [])[0];
  return a ? a.city : '';
}

export function OrganisationListPage({ route }) {
  const app = useApp();
  const [state, setState] = useState(() => readState(route));
  const [typed, setTyped] = useState(state.q);
  const [cursors, setCursors] = useState([null]);  // cursor of each page seen; last = current page
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(true);
  const searchRef = useRef(null);
  const listRef = useRef(null);

  // Debounce typing into the query state (and the URL, so Back returns to the same search).
  useEffect(() => {
    if (typed === state.q) return undefined;
    const timer = setTimeout(() => {
      const next = { ...state, q: typed.trim() };
      setState(next);
      setCursors([null]);
      navigate(urlFor(next), { replace: true });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed]);

  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    setError(null);
    const query = { limit: PAGE_SIZE, cursor, q: state.q };
    for (const f of FILTERS) query[f] = state[f];
    api('GET', '/organisations', { query, signal: ctrl.signal })
      .then((p) => { setPage(p); setLoading(false); })
      .catch((e) => {
        if (e.name === 'AbortError') return;
        setLoading(false);
        setError(e);
        if (e.status !== 422) app.reportError(e);
      });
    return () => ctrl.abort();
  }, [state, cursor]);

  const setFilter = (name) => (value) => {
    const next = { ...state, [name]: value };
    setState(next);
    setCursors([null]);
    navigate(urlFor(next), { replace: true });
  };

  const links = () => Array.from(listRef.current?.querySelectorAll('a.result-link') || []);
  const onSearchKey = (e) => {
    if (e.key === 'ArrowDown') {
      const first = links()[0];
      if (first) { e.preventDefault(); first.focus(); }
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const first = links()[0];
      if (first && page?.items?.length === 1) navigate(first.getAttribute('href'));
    }
  };
  const onResultKey = (e) => {
    const all = links();
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === 'ArrowDown' && i + 1 < all.length) { e.preventDefault(); all[i + 1].focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); (i > 0 ? all[i - 1] : searchRef.current).focus(); }
    else if (e.key === 'Escape') { e.preventDefault(); searchRef.current.focus(); }
    else if (e.key === 'Home') { e.preventDefault(); all[0].focus(); }
    else if (e.key === 'End') { e.preventDefault(); all[all.length - 1].focus(); }
  };

  const items = page?.items || [];
  const pageNo = cursors.length;
  return html`<section aria-labelledby="page-title">
    <div class="page-head">
      <${PageTitle} text=${t('orglist.title')} />
      ${can(app.me, 'maintain') && html`<a class="button" href="/organisations/new">${t('nav.new_organisation')}</a>`}
    </div>
    <form class="search-panel" role="search" onSubmit=${(e) => e.preventDefault()}>
      <div class="field search-field">
        <label for="org-search">${t('orglist.search_label')}</label>
        <input id="org-search" type="search" ref=${searchRef} value=${typed} autocomplete="off"
          aria-describedby="org-search-hint" aria-controls="org-results"
          onInput=${(e) => setTyped(e.currentTarget.value)} onKeyDown=${onSearchKey} />
        <p class="hint" id="org-search-hint">${t('orglist.search_hint')}</p>
      </div>
      <div class="filters">
        <${SelectField} pointer="/filter/status" label=${t('field.status')} value=${state.status}
          onChange=${setFilter('status')} empty=${t('common.all')} options=${ORG_STATUSES.map((v) => [v, statusLabel(v)])} />
        <${SelectField} pointer="/filter/role" label=${t('field.roles')} value=${state.role}
          onChange=${setFilter('role')} empty=${t('common.all')} options=${ORG_ROLES.map((v) => [v, orgRoleLabel(v)])} />
        <${SelectField} pointer="/filter/customer_group" label=${t('field.customer_group')} value=${state.customer_group}
          onChange=${setFilter('customer_group')} empty=${t('common.all')}
          options=${CUSTOMER_GROUPS.map((v) => [v, groupLabel(v)])} />
        <${SelectField} pointer="/filter/value_class" label=${t('field.value_class')} value=${state.value_class}
          onChange=${setFilter('value_class')} empty=${t('common.all')}
          options=${VALUE_CLASSES.map((v) => [v, valueClassLabel(v)])} />
      </div>
    </form>
    <p class="result-count" role="status" aria-live="polite">
      ${loading ? t('common.loading') : (items.length
        ? t('orglist.showing', { n: formatNumber(items.length), page: formatNumber(pageNo) })
        : t('orglist.none'))}</p>
    ${loading && !page && html`<${Loading} />`}
    ${error && error.status !== 422 && html`<${LoadError} error=${error} />`}
    ${error && error.status === 422 && html`<p class="form-error" role="alert">${t('orglist.bad_filter')}</p>`}
    ${items.length > 0 && html`<div class="table-wrap" ref=${listRef} onKeyDown=${onResultKey}>
      <table id="org-results" class=${`results${loading ? ' stale' : ''}`}>
        <caption class="visually-hidden">${t('orglist.caption')}</caption>
        <thead><tr>
          <th scope="col">${t('field.name')}</th>
          <th scope="col">${t('field.business_id')}</th>
          <th scope="col">${t('field.city')}</th>
          <th scope="col">${t('field.roles')}</th>
          <th scope="col">${t('field.status')}</th>
          <th scope="col">${t('field.customer_group')}</th>
        </tr></thead>
        <tbody>${items.map((o) => html`<tr key=${o.id}>
          <td><a class="result-link" href=${`/organisations/${o.id}`}>${o.name}</a></td>
          <td>${o.business_id || o.foreign_registry_id || '—'}</td>
          <td>${primaryCity(o) || '—'}</td>
          <td>${(o.roles || []).map(orgRoleLabel).join(', ') || '—'}</td>
          <td><span class=${`tag status-${o.status}`}>${statusLabel(o.status)}</span></td>
          <td>${o.customer_group ? groupLabel(o.customer_group) : '—'}</td>
        </tr>`)}</tbody>
      </table></div>`}
    <nav class="pager" aria-label=${t('orglist.paging')}>
      <button type="button" class="secondary" disabled=${cursors.length <= 1}
        onClick=${() => setCursors(cursors.slice(0, -1))}>${t('orglist.previous')}</button>
      <span>${t('orglist.page', { page: formatNumber(pageNo) })}</span>
      <button type="button" class="secondary" disabled=${!page?.next_cursor}
        onClick=${() => setCursors([...cursors, page.next_cursor])}>${t('orglist.next')}</button>
    </nav>
  </section>`;
}
