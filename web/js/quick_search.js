// Quick search in the header: search as you type over organisations, establishments and contact
// persons through GET /api/v1/search (accent-insensitive: "makinen" finds "Mäkinen"; exact
// identifiers such as a Business ID, EORI or e-mail first). Debounced, stale requests aborted.
// The results are ordinary links: ArrowDown from the box moves into them, ArrowUp/ArrowDown/Home/
// End between them, Escape closes and returns to the box. An establishment has no page of its own,
// so its result opens its organisation. The server scopes the results (a trader sees only their
// own organisation's records).
import { html, useState, useEffect, useRef } from './lib.js';
import { api } from './api.js';
import { t, formatNumber } from './i18n.js';
import { navigate, onRouteChange } from './router.js';

const DEBOUNCE_MS = 250;
const MIN_CHARS = 2;
const LIMIT = 12;
const MAX_QUERY = 200;

export function hitHref(hit) {
  if (hit.type === 'organisation') return `/organisations/${hit.id}`;
  if (hit.type === 'contact') return `/contacts/${hit.id}`;
  return `/organisations/${hit.organisation_id}`;
}

export function QuickSearch() {
  const [typed, setTyped] = useState('');
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState({ q: '', items: [], loading: false, error: false });
  const boxRef = useRef(null);
  const inputRef = useRef(null);

  useEffect(() => onRouteChange(() => { setOpen(false); setTyped(''); }), []);

  useEffect(() => {
    const q = typed.trim();
    if (q.length < MIN_CHARS) {
      setResult({ q: '', items: [], loading: false, error: false });
      return undefined;
    }
    const ctrl = new AbortController();
    setResult((r) => ({ ...r, loading: true }));
    const timer = setTimeout(() => {
      api('GET', '/search', { query: { q: q.slice(0, MAX_QUERY), limit: LIMIT }, signal: ctrl.signal })
        .then((r) => setResult({ q, items: r.items || [], loading: false, error: false }))
        .catch((e) => {
          if (e.name !== 'AbortError') setResult({ q, items: [], loading: false, error: true });
        });
    }, DEBOUNCE_MS);
    return () => { clearTimeout(timer); ctrl.abort(); };
  }, [typed]);

  // Clicking or tabbing outside closes the results.
  useEffect(() => {
    const away = (e) => { if (boxRef.current && !boxRef.current.contains(e.target)) setOpen(false); };
    document.addEventListener('mousedown', away);
    document.addEventListener('focusin', away);
    return () => { document.removeEventListener('mousedown', away); document.removeEventListener('focusin', away); };
  }, []);

  const links = () => Array.from(boxRef.current?.querySelectorAll('a.quick-link') || []);
  // ArrowDown on closed results opens them first; the focus moves once they are rendered visible.
  const focusFirst = useRef(false);
  useEffect(() => {
    if (open && focusFirst.current) {
      focusFirst.current = false;
      links()[0]?.focus();
    }
  });
  const onInputKey = (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (open) links()[0]?.focus();
      else { focusFirst.current = true; setOpen(true); }
    } else if (e.key === 'Escape') {
      if (open) { e.preventDefault(); setOpen(false); } else setTyped('');
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const first = links()[0];
      if (first) navigate(first.getAttribute('href'));
    }
  };
  const onResultKey = (e) => {
    const all = links();
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    if (e.key === 'ArrowDown' && i + 1 < all.length) { e.preventDefault(); all[i + 1].focus(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); (i > 0 ? all[i - 1] : inputRef.current).focus(); }
    else if (e.key === 'Home') { e.preventDefault(); all[0].focus(); }
    else if (e.key === 'End') { e.preventDefault(); all[all.length - 1].focus(); }
    else if (e.key === 'Escape') { e.preventDefault(); setOpen(false); inputRef.current.focus(); }
  };

  const q = typed.trim();
  const active = q.length >= MIN_CHARS;
  const shown = open && active;
  let status = '';
  if (active) {
    if (result.loading || result.q !== q) status = t('common.loading');
    else if (result.error) status = t('quicksearch.failed');
    else status = result.items.length ? t('quicksearch.count', { n: formatNumber(result.items.length) }) : t('quicksearch.none');
  }
  return html`<div class="quick-search" role="search" aria-label=${t('quicksearch.label')} ref=${boxRef}>
    <label for="quick-search" class="visually-hidden">${t('quicksearch.label')}</label>
    <input id="quick-search" type="search" ref=${inputRef} value=${typed} autocomplete="off" spellcheck="false"
      maxlength=${MAX_QUERY} placeholder=${t('quicksearch.placeholder')}
      aria-describedby="quick-search-hint" aria-controls="quick-results"
      onInput=${(e) => { setTyped(e.currentTarget.value); setOpen(true); }} onKeyDown=${onInputKey} />
    <span id="quick-search-hint" class="visually-hidden">${t('quicksearch.hint')}</span>
    <p class="visually-hidden" role="status" aria-live="polite">${shown ? status : ''}</p>
    <div id="quick-results" class="quick-results" hidden=${!shown} onKeyDown=${onResultKey}>
      <p class="quick-status muted">${status}</p>
      ${result.q === q && result.items.length > 0 && html`<ul>
        ${result.items.map((h) => html`<li key=${`${h.type}-${h.id}`}>
          <a class="quick-link" href=${hitHref(h)} data-type=${h.type}>
            <span class="quick-type">${t(`quicksearch.type.${h.type}`)}</span>
            <span class="quick-title">${h.title}</span>
            ${h.subtitle && html`<span class="quick-subtitle">${h.subtitle}</span>`}
          </a></li>`)}
      </ul>`}
    </div>
  </div>`;
}
