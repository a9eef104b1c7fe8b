// Which parts of the registry API this server offers beyond the organisation core (contacts,
// establishments, CSV import jobs). Detected once at start-up from the router's documented
// behaviour (docs/http.md): a path that exists for other methods answers 405, an unknown path 404.
// Both are decided before authentication, so the probes need no session and change nothing.
export const FEATURES = { contacts: false, establishments: false, imports: false, servicedesk: false, declarations: false,
  selectivity: false, control: false };

async function exists(method, path) {
  try {
    const r = await fetch(path, { method, credentials: 'omit', cache: 'no-store' });
    return r.status === 405;
  } catch (_) {
    return false;
  }
}

export async function detectFeatures() {
  const [contacts, establishments, imports, servicedesk, declarations, selectivity, control] = await Promise.all([
    exists('PUT', '/api/v1/contacts/0'),
    exists('PUT', '/api/v1/establishments/0'),
    exists('GET', '/api/v1/imports'),
    exists('PUT', '/api/v1/servicedesk/requests'),
    exists('PUT', '/api/v1/declarations'),
    exists('POST', '/api/v1/selectivity/profiles'),
    exists('PUT', '/api/v1/control/queue'),
  ]);
  Object.assign(FEATURES, { contacts, establishments, imports, servicedesk, declarations, selectivity, control });
}
