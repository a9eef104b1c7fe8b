// The one way the UI talks to the server: the public REST API under /api/v1.
// Session cookie (HttpOnly, set by POST /auth/login) + the CSRF token from the login or /me
// response, sent as X-CSRF-Token on every state-changing request. Failures become ApiError with
// the RFC 9457 problem body (status, title, detail, errors [{pointer, code, message}]).
const BASE = '/api/v1';
let csrfToken = null;
let pending = 0;
const loadingListeners = new Set();
const unauthenticatedListeners = new Set();

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
}

export function setCsrfToken(token) { csrfToken = token || null; }
export function onLoadingChange(fn) { loadingListeners.add(fn); return () => loadingListeners.delete(fn); }
export function onUnauthenticated(fn) { unauthenticatedListeners.add(fn); return () => unauthenticatedListeners.delete(fn); }
function changePending(delta) {
  pending += delta;
  for (const fn of loadingListeners) fn(pending > 0);
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// api('GET', '/organisations', {query: {q: 'Dem'}}) -> parsed JSON (null for 204).
// Options: body (JSON-encoded), contentType, raw (a string body sent as is), headers, signal,
// quiet401 (do not announce a lost session, for the initial /me probe), withResponse.
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json, application/problem+json', ...(opts.headers || {}) };
  let body;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['Content-Type'] = opts.contentType || 'text/csv';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] = opts.contentType || 'application/json';
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  changePending(1);
  let res;
  try {
    res = await fetch(BASE + path + query(opts.query), {
      method, headers, body, credentials: 'same-origin', signal: opts.signal, cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'network', detail: String(e.message || e) });
  } finally {
    changePending(-1);
  }
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (res.status !== 204 && (type.includes('json'))) {
    try { data = await res.json(); } catch (_) { data = null; }
  } else if (res.status !== 204) {
    data = await res.text();
  }
  if (!res.ok) {
    const err = new ApiError(res.status, data && typeof data === 'object' ? data : { detail: String(data || '') });
    if (res.status === 401 && !opts.quiet401) for (const fn of unauthenticatedListeners) fn(err);
    throw err;
  }
  return opts.withResponse ? { data, response: res } : data;
}
