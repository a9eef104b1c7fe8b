// Shared by the service-desk screens (docs/servicedesk.md, docs/sla.md): names of request types
// and service groups in the UI language (they come from the API with fi/sv/en names), status /
// tier / priority labels, and the SLA timer.
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, tOr, language, locale, formatDateTime } from '../i18n.js';

export const SD_STATUSES = ['new', 'open', 'pending_customer', 'pending_third_party', 'resolved', 'closed'];
export const SD_OPEN_STATUSES = 'new,open,pending_customer,pending_third_party';
export const SD_TIERS = ['self_service', 'customer_service', 'support', 'stakeholder'];
export const SD_PRIORITIES = ['low', 'normal', 'high', 'urgent'];
export const SLA_STATES = ['on_track', 'warning', 'breached'];

export const sdStatusLabel = (v) => tOr(`sd.status.${v}`, v);
export const sdTierLabel = (v) => tOr(`sd.tier.${v}`, v);
export const sdPriorityLabel = (v) => tOr(`sd.priority.${v}`, v);
export const sdChannelLabel = (v) => tOr(`sd.channel.${v}`, v);

// {fi, sv, en} -> the text in the UI language (else English, else any).
export function localized(names, fallback = '') {
  if (!names || typeof names !== 'object') return fallback;
  return names[language()] || names.en || names.fi || Object.values(names)[0] || fallback;
}

// Request types and service groups change rarely: loaded once per page load.
let typesPromise = null;
let groupsPromise = null;
export function loadRequestTypes() {
  if (!typesPromise) typesPromise = api('GET', '/servicedesk/request-types').then((r) => r.items || []).catch((e) => { typesPromise = null; throw e; });
  return typesPromise;
}
export function loadGroups() {
  if (!groupsPromise) groupsPromise = api('GET', '/servicedesk/groups').then((r) => r.items || []).catch((e) => { groupsPromise = null; throw e; });
  return groupsPromise;
}
export function useCatalogue() {
  const [types, setTypes] = useState([]);
  const [groups, setGroups] = useState([]);
  useEffect(() => {
    loadRequestTypes().then(setTypes).catch(() => {});
    loadGroups().then(setGroups).catch(() => {});
  }, []);
  return {
    types, groups,
    typeName: (key) => localized(types.find((x) => x.key === key)?.names, key || ''),
    groupName: (key) => (key ? localized(groups.find((x) => x.key === key)?.names, key) : '—'),
  };
}

// ---- SLA -----------------------------------------------------------------------------------

const NO_DUE_YEAR = 9999;  // the queue's "no SLA" due time (9999-12-31T23:59:59.999999Z)
const OPEN_STATES = ['breached', 'warning', 'on_track', 'paused'];
const SEVERITY = ['breached', 'warning', 'paused', 'on_track', 'met', 'not_applicable'];

function validDue(v) {
  if (!v || typeof v !== 'string') return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() >= NO_DUE_YEAR) return null;
  return d;
}

// Where a request stands against its SLA: {state, due (Date|null), metrics: [{name, state, due}]}.
// Reads the request's `sla` member (overall `state`/`due_at`, and metrics such as
// first_response/next_response/resolution each with `state` and `due`/`due_at`). Without one,
// the queue's `due_at` alone gives the due time and `breached` once it has passed.
export function slaInfo(req, now = new Date()) {
  const sla = req && req.sla && typeof req.sla === 'object' ? req.sla : null;
  const metrics = [];
  if (sla) {
    const source = sla.metrics && typeof sla.metrics === 'object' ? sla.metrics : sla;
    for (const [name, m] of Object.entries(source)) {
      if (m && typeof m === 'object' && !Array.isArray(m) && typeof m.state === 'string') {
        metrics.push({ name, state: m.state, due: validDue(m.due_at || m.due) });
      }
    }
  }
  let state = sla && typeof sla.state === 'string' ? sla.state : null;
  let due = validDue(sla?.due_at || sla?.due);
  if (!state && metrics.length) {
    state = [...metrics].sort((a, b) => SEVERITY.indexOf(a.state) - SEVERITY.indexOf(b.state))[0].state;
  }
  if (!due) {
    const open = metrics.filter((m) => OPEN_STATES.includes(m.state) && m.due).sort((a, b) => a.due - b.due);
    due = open.length ? open[0].due : validDue(req?.due_at);
  }
  if (req && ['resolved', 'closed'].includes(req.status) && !state) return { state: null, due: null, metrics };
  if (!state && due) state = now >= due ? 'breached' : 'on_track';
  return { state, due, metrics };
}

// "2 h 15 min" / "3 d 4 h" in the UI language (Intl unit formatting).
export function formatDuration(ms) {
  const minutes = Math.max(0, Math.round(Math.abs(ms) / 60000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const unit = (n, u) => new Intl.NumberFormat(locale(), { style: 'unit', unit: u, unitDisplay: 'short' }).format(n);
  if (d > 0) return h ? `${unit(d, 'day')} ${unit(h, 'hour')}` : unit(d, 'day');
  if (h > 0) return m ? `${unit(h, 'hour')} ${unit(m, 'minute')}` : unit(h, 'hour');
  return unit(m, 'minute');
}

// The current time, refreshed every 30 seconds, for the timers on a screen.
export function useNow(intervalMs = 30000) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

// The SLA state as a coloured badge (with its name in words, not colour alone) and the time left
// or overdue; the due time in Europe/Helsinki is the tooltip and the <time> value.
export function SlaTimer({ req, now, detailed }) {
  const info = slaInfo(req, now);
  if (!info.state && !info.due) return html`<span class="sla sla-none">${t('sd.sla.none')}</span>`;
  const state = info.state || 'on_track';
  const left = info.due ? info.due - now : null;
  let timeText = '';
  if (left !== null && OPEN_STATES.includes(state)) {
    timeText = left >= 0 ? t('sd.sla.left', { time: formatDuration(left) }) : t('sd.sla.overdue', { time: formatDuration(left) });
  }
  return html`<span class=${`sla sla-${state}`} data-sla-state=${state}>
    <span class="sla-state">${tOr(`sd.sla.state.${state}`, state)}</span>
    ${timeText && html` <span class="sla-left">${timeText}</span>`}
    ${detailed && info.due && html` <span class="muted">(${t('sd.sla.due_label')}: <time dateTime=${info.due.toISOString()}>${formatDateTime(info.due.toISOString())}</time>)</span>`}
  </span>`;
}

export function StatusTag({ status }) {
  return html`<span class=${`tag sd-status-${status}`}>${sdStatusLabel(status)}</span>`;
}
