// Declarations list (GET /declarations, newest first, keyset paging by before_id). A trader sees
// "my declarations" (the server scopes them to their organisation) with state, MRN and lane;
// officers and analysts see the work queue, by default the declarations under control, filtered by
// state and type (server side) and by lane and office of lodgement (on the loaded rows: the API
// has no such filters). Filters are kept in the URL.
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, tOr, formatDateTime, formatNumber } from '../i18n.js';
import { navigate } from '../router.js';
import { useApp, Loading, LoadError, PageTitle, SelectField } from '../ui.js';
import { can } from '../roles.js';
import { FEATURES } from '../features.js';

export const DECL_STATES = ['draft', 'submitted', 'rejected', 'accepted', 'released', 'under_documentary_control',
  'under_physical_control', 'not_released', 'invalidated'];
export const DECL_TYPES = ['H1', 'H7', 'B1'];
export const LANES = ['green', 'blue', 'yellow', 'red'];
export const declStateLabel = (v) => tOr(`decl.state.${v}`, v);
export const laneLabel = (v) => (v ? tOr(`decl.lane.${v}`, v) : '—');

export function LaneTag({ lane }) {
  if (!lane) return html`<span class="muted">—</span>`;
  return html`<span class=${`tag lane lane-${lane}`}>${laneLabel(lane)}</span>`;
}
export function DeclStateTag({ state }) {
  return html`<span class=${`tag decl-state-${state}`}>${declStateLabel(state)}</span>`;
}

const PAGE = 100;
const UNDER_CONTROL = 'under_control';  // the officer's default: both control states

function readState(route, staff) {
  return {
    state: route.query.get('state') ?? (staff ? UNDER_CONTROL : ''),
    type: route.query.get('type') || '',
    lane: route.query.get('lane') || '',
    office: route.query.get('office') || '',
  };
}

export function DeclarationListPage({ route }) {
  const app = useApp();
  const staff = can(app.me, 'staff');
  const [state, setState] = useState(() => readState(route, staff));
  const [items, setItems] = useState(null);
  const [next, setNext] = useState(null);
  const [error, setError] = useState(null);

  const [knownOffices, setKnownOffices] = useState([]);
  const fetchPage = async (before) => {
    const base = { type: state.type || undefined, limit: PAGE, before_id: before || undefined };
    if (state.state === UNDER_CONTROL && FEATURES.control) {
      // The control queue filters by office and lane on the server (503 while the server has no
      // control service configured: then the declarations list below is used).
      try {
        const r = await api('GET', '/control/queue', { query: { office: state.office || undefined, lane: state.lane || undefined,
          before: before || undefined, limit: PAGE } });
        const items = (r.items || []).filter((d) => !state.type || d.type === state.type);
        setKnownOffices((k) => [...new Set([...k, ...items.map((d) => d.office).filter(Boolean)])].sort());
        return { items, next: r.next_before || null };
      } catch (e) {
        if (e.status !== 503) throw e;
      }
    }
    if (state.state === UNDER_CONTROL) {
      const [a, b] = await Promise.all(['under_documentary_control', 'under_physical_control']
        .map((s) => api('GET', '/declarations', { query: { ...base, state: s } })));
      const merged = [...(a.items || []), ...(b.items || [])].sort((x, y) => y.id - x.id);
      return { items: merged, next: null };
    }
    const r = await api('GET', '/declarations', { query: { ...base, state: state.state || undefined } });
    return { items: r.items || [], next: r.next_before_id || null };
  };

  useEffect(() => {
    if (!FEATURES.declarations) return;
    let live = true;
    setError(null);
    fetchPage(null).then((r) => { if (live) { setItems(r.items); setNext(r.next); } })
      .catch((e) => { if (live) { setError(e); setItems([]); } });
    return () => { live = false; };
  }, [state.state, state.type, ...(FEATURES.control && state.state === UNDER_CONTROL ? [state.office, state.lane] : [])]);

  const change = (k, v) => {
    const s = { ...state, [k]: v };
    setState(s);
    const p = new URLSearchParams();
    for (const [key, val] of Object.entries(s)) if (val || (key === 'state' && staff)) p.set(key, val);
    navigate(`/declarations${p.toString() ? `?${p}` : ''}`, { replace: true });
  };

  const more = async () => {
    try {
      const r = await fetchPage(next);
      setItems([...items, ...r.items]);
      setNext(r.next);
    } catch (e) {
      app.reportError(e);
    }
  };

  const title = staff ? t('decl.queue.title') : t('decl.mine.title');
  if (!FEATURES.declarations) return html`<section><${PageTitle} text=${title} /><p>${t('decl.unavailable')}</p></section>`;
  const officeOf = (d) => d.office || d.office_of_lodgement || d.declaration?.office_of_lodgement || '';
  const offices = [...new Set([...knownOffices, ...(items || []).map(officeOf).filter(Boolean)])].sort();
  const shown = (items || []).filter((d) => (!state.lane || d.lane === state.lane) && (!state.office || officeOf(d) === state.office));
  const stateOptions = [...(staff ? [[UNDER_CONTROL, t('decl.filter.under_control')]] : []), ...DECL_STATES.map((s) => [s, declStateLabel(s)])];
  return html`<section aria-labelledby="page-title">
    <div class="page-head">
      <div><${PageTitle} text=${title} /><p class="muted">${staff ? t('decl.queue.intro') : t('decl.mine.intro')}</p></div>
      ${can(app.me, 'trader') && html`<a class="button" href="/declarations/new">${t('nav.new_declaration')}</a>`}
    </div>
    <form class="search-panel" role="search" aria-label=${t('decl.filter.label')} onSubmit=${(e) => e.preventDefault()}>
      <div class="filters">
        <${SelectField} pointer="/filter/state" label=${t('decl.field.state')} value=${state.state} onChange=${(v) => change('state', v)}
          options=${stateOptions} empty=${t('common.all')} />
        <${SelectField} pointer="/filter/type" label=${t('decl.field.type')} value=${state.type} onChange=${(v) => change('type', v)}
          options=${DECL_TYPES.map((x) => [x, tOr(`decl.type.${x}`, x)])} empty=${t('common.all')} />
        <${SelectField} pointer="/filter/lane" label=${t('decl.field.lane')} value=${state.lane} onChange=${(v) => change('lane', v)}
          options=${LANES.map((x) => [x, laneLabel(x)])} empty=${t('common.all')} />
        ${staff && html`<${SelectField} pointer="/filter/office" label=${t('decl.field.office')} value=${state.office}
          onChange=${(v) => change('office', v)} options=${offices.map((o) => [o, o])} empty=${t('common.all')} />`}
      </div>
    </form>
    ${error && html`<${LoadError} error=${error} />`}
    ${items === null ? html`<${Loading} />` : html`
      <p class="result-count" role="status">${shown.length ? t('decl.count', { n: formatNumber(shown.length) }) : t('decl.none')}</p>
      ${shown.length > 0 && html`<div class="table-wrap"><table class="results" id="decl-list">
        <caption class="visually-hidden">${title}</caption>
        <thead><tr><th scope="col">${t('decl.field.lrn')}</th><th scope="col">${t('decl.field.mrn')}</th>
          <th scope="col">${t('decl.field.type_short')}</th><th scope="col">${t('decl.field.state')}</th>
          <th scope="col">${t('decl.field.lane')}</th>
          ${staff && html`<th scope="col">${t('decl.field.declarant')}</th>`}
          ${offices.length > 0 && html`<th scope="col">${t('decl.field.office_short')}</th>`}
          <th scope="col">${staff ? t('decl.field.accepted') : t('decl.field.created')}</th></tr></thead>
        <tbody>${shown.map((d) => html`<tr key=${d.id} data-lrn=${d.lrn}>
          <td><a class="result-link" href=${`/declarations/${d.id}`}>${d.lrn}</a></td>
          <td class="mono">${d.mrn || '—'}</td>
          <td>${d.type}</td>
          <td><${DeclStateTag} state=${d.state} /></td>
          <td><${LaneTag} lane=${d.lane} /></td>
          ${staff && html`<td class="mono">${d.declarant_eori || ''}</td>`}
          ${offices.length > 0 && html`<td>${officeOf(d)}</td>`}
          <td>${formatDateTime(staff ? (d.accepted_at || d.created_at) : d.created_at)}</td>
        </tr>`)}</tbody>
      </table></div>`}
      ${next && html`<div class="pager"><button type="button" class="secondary" onClick=${more}>${t('sd.show_more')}</button></div>`}`}
  </section>`;
}
