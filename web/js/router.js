// Client-side routing with the History API. The table must stay equal to the server's list of
// page routes (src/customsdesk/api/ui_routes.hpp: kUiPages) so that a typed URL loads the app.
const listeners = new Set();

export const ROUTES = [
  ['/', 'home'],
  ['/login', 'login'],
  ['/organisations', 'organisations'],
  ['/organisations/new', 'organisation-new'],
  ['/organisations/:id', 'organisation'],
  ['/organisations/:id/edit', 'organisation-edit'],
  ['/contacts/:id', 'contact'],
  ['/import', 'import'],
  ['/servicedesk', 'servicedesk'],
  ['/servicedesk/new', 'servicedesk-new'],
  ['/servicedesk/:id', 'servicedesk-request'],
  ['/declarations', 'declarations'],
  ['/declarations/new', 'declaration-new'],
  ['/declarations/:id', 'declaration'],
  ['/risk/profiles', 'risk-profiles'],
];

// {name, params, query} for a path; name 'not-found' when nothing matches.
export function match(pathname, search = '') {
  const parts = pathname.split('/').slice(1);
  let best = null;
  for (const [pattern, name] of ROUTES) {
    const pp = pattern.split('/').slice(1);
    if (pp.length !== parts.length) continue;
    const params = {};
    let ok = true;
    let literal = 0;
    for (let i = 0; i < pp.length; i++) {
      if (pp[i].startsWith(':')) {
        if (!parts[i]) { ok = false; break; }
        params[pp[i].slice(1)] = decodeURIComponent(parts[i]);
      } else if (pp[i] === parts[i]) {
        literal++;
      } else {
        ok = false;
        break;
      }
    }
    if (ok && (!best || literal > best.literal)) best = { name, params, literal };
  }
  return { name: best ? best.name : 'not-found', params: best ? best.params : {}, query: new URLSearchParams(search) };
}

export function current() { return match(location.pathname, location.search); }

export function navigate(to, { replace = false } = {}) {
  if (to === location.pathname + location.search) {
    for (const fn of listeners) fn(current());
    return;
  }
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const fn of listeners) fn(current());
}

export function onRouteChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

window.addEventListener('popstate', () => { for (const fn of listeners) fn(current()); });

// Same-origin links are handled here (no full page load), except downloads, new tabs and /api.
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest && e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download') || a.getAttribute('href').startsWith('#')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
