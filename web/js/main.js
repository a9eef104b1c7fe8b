// Boot and application shell: language, session, navigation by role, error banner, loading bar.
import { html, render, useState, useEffect, useCallback } from './lib.js';
import { api, setCsrfToken, onLoadingChange, onUnauthenticated } from './api.js';
import { t, setLanguage, initialLanguage, storedLanguage, language, LANGUAGES, onLanguageChange } from './i18n.js';
import { current, navigate, onRouteChange } from './router.js';
import { AppContext } from './ui.js';
import { can } from './roles.js';
import { FEATURES, detectFeatures } from './features.js';
import { LoginPage } from './pages/login.js';
import { OrganisationListPage } from './pages/organisation_list.js';
import { OrganisationPage } from './pages/organisation_page.js';
import { OrganisationFormPage } from './pages/organisation_form.js';
import { ImportPage } from './pages/import.js';
import { ContactPage } from './pages/contact.js';
import { NotFoundPage } from './pages/not_found.js';
import { QuickSearch } from './quick_search.js';
import { ServiceDeskQueuePage } from './pages/sd_queue.js';
import { ServiceRequestPage } from './pages/sd_request.js';
import { NewServiceRequestPage } from './pages/sd_new.js';
import { DeclarationListPage } from './pages/decl_list.js';
import { DeclarationFormPage } from './pages/decl_form.js';
import { DeclarationPage } from './pages/decl_page.js';
import { RiskProfilesPage } from './pages/risk_profiles.js';

const LANGUAGE_NAMES = { fi: 'Suomi', sv: 'Svenska', en: 'English' };

// Where a user starts: a trader on their own organisation, an officer on the declaration queue,
// a risk analyst on the risk profiles, other staff on the organisation list.
export function homeFor(me) {
  if (me && !can(me, 'staff') && me.organisation_id) return `/organisations/${me.organisation_id}`;
  const roles = me?.roles || [];
  if (roles.length === 1 && roles[0] === 'officer' && FEATURES.declarations) return '/declarations';
  if (roles.length === 1 && roles[0] === 'risk_analyst' && FEATURES.selectivity) return '/risk/profiles';
  return '/organisations';
}

// Pages only staff use (a trader is sent home) and pages only a trader uses (staff are sent home).
const STAFF_PAGES = ['organisations', 'organisation-new', 'import', 'risk-profiles'];
const TRADER_PAGES = ['servicedesk-new', 'declaration-new'];

function LanguageSwitch({ lang, onChange }) {
  return html`<div class="lang-switch" role="group" aria-label=${t('shell.language')}>
    ${LANGUAGES.map((l) => html`<button type="button" lang=${l} class="link-button" aria-pressed=${l === lang ? 'true' : 'false'}
        onClick=${() => onChange(l)}>${LANGUAGE_NAMES[l]}</button>`)}
  </div>`;
}

function Nav({ me, route }) {
  const items = [];
  if (can(me, 'staff')) {
    items.push(['/organisations', 'nav.organisations', ['organisations', 'organisation', 'organisation-edit']]);
    if (can(me, 'maintain')) items.push(['/organisations/new', 'nav.new_organisation', ['organisation-new']]);
    if (FEATURES.imports && can(me, 'import')) items.push(['/import', 'nav.import', ['import']]);
    if (FEATURES.servicedesk && can(me, 'servicedesk')) {
      items.push(['/servicedesk', 'nav.servicedesk', ['servicedesk', 'servicedesk-request']]);
    }
    if (FEATURES.declarations && can(me, 'declarations')) {
      items.push(['/declarations', 'nav.declarations', ['declarations', 'declaration']]);
    }
    if (FEATURES.selectivity && can(me, 'risk')) items.push(['/risk/profiles', 'nav.risk_profiles', ['risk-profiles']]);
  } else if (me.organisation_id) {
    items.push([`/organisations/${me.organisation_id}`, 'nav.my_organisation', ['organisation', 'organisation-edit']]);
    if (FEATURES.servicedesk) {
      items.push(['/servicedesk', 'nav.my_requests', ['servicedesk', 'servicedesk-request']]);
      items.push(['/servicedesk/new', 'nav.new_request', ['servicedesk-new']]);
    }
    if (FEATURES.declarations) {
      items.push(['/declarations', 'nav.my_declarations', ['declarations', 'declaration']]);
      items.push(['/declarations/new', 'nav.new_declaration', ['declaration-new']]);
    }
  }
  return html`<nav aria-label=${t('nav.label')}><ul>
    ${items.map(([href, key, names]) => html`<li><a href=${href}
      aria-current=${names.includes(route.name) ? 'page' : undefined}>${t(key)}</a></li>`)}
  </ul></nav>`;
}

function Banner({ banner, onClose }) {
  if (!banner) return html`<div class="banner-slot" aria-live="assertive"></div>`;
  return html`<div class="banner-slot" aria-live="assertive">
    <div class=${`banner banner-${banner.kind || 'error'}`} role=${banner.kind === 'info' ? 'status' : 'alert'}>
      <p>${banner.text}</p>
      ${banner.requestId && html`<p class="muted">${t('error.request_id', { id: banner.requestId })}</p>`}
      <button type="button" class="link-button" onClick=${onClose}>${t('common.dismiss')}</button>
    </div></div>`;
}

// The banner text for a failed request that is not shown next to a field.
export function describeError(err) {
  if (!err) return t('error.failed.text');
  switch (err.status) {
    case 0: return t('error.network');
    case 401: return t('error.session_expired');
    case 403: return t('error.forbidden.text');
    case 404: return t('error.not_found.text');
    case 409: return t('error.conflict');
    case 412: return t('error.stale');
    case 413: return t('error.too_large');
    case 429: return t('error.throttled');
    default: return err.status >= 500 ? t('error.server') : (err.message || t('error.failed.text'));
  }
}

function Page({ route, me }) {
  const id = route.params.id;
  switch (route.name) {
    case 'organisations': return html`<${OrganisationListPage} route=${route} />`;
    case 'organisation-new': return html`<${OrganisationFormPage} key="new" />`;
    case 'organisation': return html`<${OrganisationPage} key=${id} id=${id} />`;
    case 'organisation-edit': return html`<${OrganisationFormPage} key=${`edit-${id}`} id=${id} />`;
    case 'import': return html`<${ImportPage} />`;
    case 'contact': return html`<${ContactPage} key=${id} id=${id} />`;
    case 'servicedesk': return html`<${ServiceDeskQueuePage} route=${route} />`;
    case 'servicedesk-new': return html`<${NewServiceRequestPage} route=${route} />`;
    case 'servicedesk-request': return html`<${ServiceRequestPage} key=${id} id=${id} />`;
    case 'declarations': return html`<${DeclarationListPage} route=${route} />`;
    case 'declaration-new': return html`<${DeclarationFormPage} />`;
    case 'declaration': return html`<${DeclarationPage} key=${id} id=${id} />`;
    case 'risk-profiles': return html`<${RiskProfilesPage} />`;
    default: return html`<${NotFoundPage} me=${me} />`;
  }
}

function App({ initialMe }) {
  const [me, setMe] = useState(initialMe);
  const [route, setRoute] = useState(current());
  const [lang, setLang] = useState(language());
  const [banner, setBanner] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => onRouteChange((r) => { setRoute(r); setBanner(null); }), []);
  useEffect(() => onLanguageChange(setLang), []);
  useEffect(() => onLoadingChange(setBusy), []);
  useEffect(() => onUnauthenticated(() => {
    setMe(null);
    setCsrfToken(null);
    setBanner({ text: t('error.session_expired'), kind: 'error' });
    const here = location.pathname + location.search;
    navigate(`/login${here !== '/' && !here.startsWith('/login') ? `?next=${encodeURIComponent(here)}` : ''}`);
  }), []);

  // Guards: anonymous users log in first; a logged-in user never sees the login page; the home
  // page depends on the role; staff-only pages send a trader home.
  useEffect(() => {
    if (!me && route.name !== 'login') {
      const here = location.pathname + location.search;
      navigate(`/login${here !== '/' ? `?next=${encodeURIComponent(here)}` : ''}`, { replace: true });
    } else if (me && (route.name === 'login' || route.name === 'home')) {
      navigate(homeFor(me), { replace: true });
    } else if (me && !can(me, 'staff') && STAFF_PAGES.includes(route.name)) {
      navigate(homeFor(me), { replace: true });
    } else if (me && can(me, 'staff') && TRADER_PAGES.includes(route.name)) {
      navigate(route.name === 'servicedesk-new' ? '/servicedesk' : '/declarations', { replace: true });
    }
  }, [me, route]);

  const changeLanguage = useCallback(async (l) => {
    try {
      await setLanguage(l);
    } catch (e) {
      setBanner({ text: describeError(e), kind: 'error' });
    }
  }, []);

  const logout = async () => {
    try {
      await api('POST', '/auth/logout');
    } catch (_) { /* the session is gone either way */ }
    setCsrfToken(null);
    setMe(null);
    navigate('/login');
    setBanner({ text: t('login.logged_out'), kind: 'info' });
  };

  const ctx = {
    me, lang, setMe,
    reportError: (err) => setBanner({ text: describeError(err), kind: 'error', requestId: err?.problem?.request_id }),
    notify: (text) => setBanner({ text, kind: 'info' }),
    clearBanner: () => setBanner(null),
  };

  const loginScreen = !me || route.name === 'login';
  return html`<${AppContext.Provider} value=${ctx}>
    <a class="skip-link" href="#main">${t('shell.skip_to_content')}</a>
    <div class=${`busy-bar${busy ? ' on' : ''}`} aria-hidden="true"></div>
    <header class="top">
      <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">◆</span> customsdesk</a>
      ${me && !loginScreen && html`<${Nav} me=${me} route=${route} />`}
      ${me && !loginScreen && html`<${QuickSearch} />`}
      <div class="top-right">
        <${LanguageSwitch} lang=${lang} onChange=${changeLanguage} />
        ${me && !loginScreen && html`<span class="who">${me.display_name}
          <span class="muted"> (${me.roles.map((r) => t(`role.${r}`)).join(', ')})</span></span>
          <button type="button" class="secondary" onClick=${logout}>${t('shell.logout')}</button>`}
      </div>
    </header>
    <${Banner} banner=${banner} onClose=${() => setBanner(null)} />
    <main id="main" tabindex="-1" aria-busy=${busy ? 'true' : 'false'}>
      ${loginScreen
        ? html`<${LoginPage} onLogin=${async (user) => {
          if (!storedLanguage() && user.language) await changeLanguage(user.language);
          setMe(user);
          setBanner(null);
          const next = route.query.get('next');
          navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homeFor(user), { replace: true });
        }} />`
        : html`<${Page} route=${route} me=${me} />`}
    </main>
    <footer class="foot"><p>${t('shell.footer')}</p></footer>
  <//>`;
}

async function boot() {
  const root = document.getElementById('app');
  await Promise.all([setLanguage(initialLanguage(), { remember: false }), detectFeatures()]);
  let me = null;
  try {
    me = await api('GET', '/me', { quiet401: true });
    setCsrfToken(me.csrf_token);
  } catch (e) {
    if (e.status !== 401) console.warn('GET /me failed', e);
  }
  root.textContent = '';
  render(html`<${App} initialMe=${me} />`, root);
}

boot().catch((e) => {
  const root = document.getElementById('app');
  root.textContent = `customsdesk: ${e.message}`;
});
