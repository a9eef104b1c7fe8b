// Browser tests of the web UI (issue 4), run by ctest as e2e_browser:
//   node tests/e2e/run.mjs BINARY ARTIFACT_DIR [FILTER]
// BINARY is the customsdesk executable; screenshots go to ARTIFACT_DIR (in the build folder).
// Each test drives headless Chromium against one real server with demo data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Runner, Skip, startServer, newBrowser, assert, assertEqual, seriousViolations, visibleTexts, repoRoot, WAIT_MS }
  from './harness.mjs';

const [binary, artifactDir = path.join(os.tmpdir(), 'customsdesk-e2e'), filter] = process.argv.slice(2);
if (!binary) {
  console.error('usage: node tests/e2e/run.mjs BINARY [ARTIFACT_DIR] [FILTER]');
  process.exit(2);
}
fs.mkdirSync(artifactDir, { recursive: true });
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'customsdesk-e2e-'));
const i18n = Object.fromEntries(['fi', 'sv', 'en'].map((l) =>
  [l, JSON.parse(fs.readFileSync(path.join(repoRoot, 'web/i18n', `${l}.json`), 'utf8'))]));
const allKeys = new Set(Object.keys(i18n.en));
const KEY_SHAPE = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

const server = await startServer(binary, workDir);
const base = server.url;
const runner = new Runner();
const axeReport = [];

async function shot(page, name) {
  await page.screenshot({ path: path.join(artifactDir, `${name}.png`), fullPage: true });
}

// Runs axe on the current screen, remembers the result, fails on serious/critical violations.
async function accessible(page, screen) {
  const bad = await seriousViolations(page);
  axeReport.push({ screen, serious_or_critical: bad });
  assert(bad.length === 0, `axe on ${screen}: ${JSON.stringify(bad, null, 1)}`);
}

async function withBrowser(name, fn) {
  const b = await newBrowser(workDir, name);
  try {
    await fn(b.page, b);
    assert(b.problems.length === 0, `browser problems: ${b.problems.join('; ')}`);
  } catch (e) {
    await shot(b.page, `FAILED-${name}`).catch(() => {});
    throw e;
  } finally {
    await b.context.close();
  }
}

async function login(page, username, password) {
  await page.goto(`${base}/`);
  await page.waitForSelector('#f-username');
  await page.fill('#f-username', username);
  await page.fill('#f-password', password);
  await page.click('form button[type=submit]');
  await page.waitForSelector('nav[aria-label] a');
}

async function setLanguage(page, name) {
  await page.click(`.lang-switch button:has-text("${name}")`);
  await page.waitForFunction((n) => document.querySelector('.lang-switch button[aria-pressed="true"]')?.textContent === n, name);
}

// A session for API checks made by the test itself (not by the UI).
async function apiSession(username, password) {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }) });
  assertEqual(res.status, 200, `API login ${username}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const { csrf_token: csrf } = await res.json();
  return {
    get: async (p) => {
      const r = await fetch(`${base}/api/v1${p}`, { headers: { Cookie: cookie } });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    send: async (method, p, body) => {
      const r = await fetch(`${base}/api/v1${p}`, { method, body: JSON.stringify(body),
        headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' } });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    csrf, cookie,
  };
}

async function orgByName(session, name) {
  const r = await session.get(`/organisations?q=${encodeURIComponent(name)}`);
  const o = r.body.items.find((x) => x.name === name);
  assert(o, `organisation ${name} exists`);
  return o;
}

// ---------------------------------------------------------------------------------------------

runner.test('static files: CSP without inline scripts, versioned immutable gzip assets, typed URLs', async () => {
  const index = await fetch(`${base}/organisations/12345`);
  assertEqual(index.status, 200, 'a client-side route serves index.html');
  assert(index.headers.get('content-type').startsWith('text/html'), 'index is HTML');
  const csp = index.headers.get('content-security-policy') || '';
  assert(/script-src 'self'(;|$)/.test(csp) && !csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'),
    `CSP forbids inline scripts: ${csp}`);
  assert(csp.includes("frame-ancestors 'none'") && csp.includes("object-src 'none'"), 'CSP forbids framing/plugins');
  assertEqual(index.headers.get('cache-control'), 'no-cache', 'index revalidates');
  const html = await index.text();
  assert(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'index.html has no inline script');
  const m = html.match(/src="(\/assets\/[0-9a-f]{12}\/js\/main\.js)"/);
  assert(m, 'main.js under a versioned path');
  const js = await fetch(`${base}${m[1]}`, { headers: { 'Accept-Encoding': 'gzip' } });
  assertEqual(js.status, 200, 'asset served');
  assertEqual(js.headers.get('content-type'), 'text/javascript; charset=utf-8', 'JS content type');
  assert(js.headers.get('cache-control').includes('immutable'), 'asset cached immutably');
  // Node's fetch decodes gzip transparently; the header tells what was sent.
  assertEqual(js.headers.get('content-encoding'), 'gzip', 'gzip when accepted');
  const etag = index.headers.get('etag');
  const again = await fetch(`${base}/`, { headers: { 'If-None-Match': etag } });
  assertEqual(again.status, 304, 'If-None-Match gives 304');
  const stale = await fetch(`${base}/assets/000000000000/js/main.js`);
  assertEqual(stale.status, 404, 'an unknown asset version is not served');
  const api = await fetch(`${base}/api/v1/organisations`);
  assertEqual(api.status, 401, 'the API still needs a login');
});

runner.test('translations: fi, sv and en have the same keys and no empty text', async () => {
  for (const l of ['fi', 'sv']) {
    const keys = new Set(Object.keys(i18n[l]));
    const missing = [...allKeys].filter((k) => !keys.has(k));
    const extra = [...keys].filter((k) => !allKeys.has(k));
    assert(missing.length === 0 && extra.length === 0, `${l}: missing ${missing} extra ${extra}`);
    for (const [k, v] of Object.entries(i18n[l])) assert(typeof v === 'string' && v.trim(), `${l}:${k} is empty`);
  }
});

runner.test('agent: search by three letters, open with the keyboard, change a field, see it in the history', async () => {
  await withBrowser('agent-edit', async (page) => {
    await login(page, 'agent', 'demo-agent-pass');
    await page.waitForSelector('#org-search');
    await page.waitForSelector('a.result-link');
    await shot(page, 'organisation-list');
    await accessible(page, 'organisation list');
    await page.fill('#org-search', 'Poh');
    await page.waitForFunction(() => {
      const links = [...document.querySelectorAll('a.result-link')];
      return links.length >= 1 && links.every((a) => a.textContent.startsWith('Poh'));
    });
    await shot(page, 'organisation-search');
    await page.focus('#org-search');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => document.activeElement.textContent);
    assertEqual(focused, 'Pohjolan Kuljetus Oy', 'ArrowDown moves to the first result');
    await page.keyboard.press('Enter');
    await page.waitForSelector('h1:has-text("Pohjolan Kuljetus Oy")');
    await page.waitForSelector('table.history tbody tr');
    await shot(page, 'organisation-page');
    await accessible(page, 'organisation page');

    await page.click('main a.button[href$="/edit"]');
    await page.waitForSelector('#f-sector_segment');
    await accessible(page, 'organisation edit form');
    await page.fill('#f-sector_segment', 'Tieliikenne');
    await page.click('form.org-form button[type=submit]');
    await page.waitForSelector('h1:has-text("Pohjolan Kuljetus Oy")');
    await page.waitForSelector('.banner-info');
    const row = page.locator('table.history tbody tr', { hasText: 'Tieliikenne' }).first();
    await row.waitFor();
    const text = await row.textContent();
    assert(text.includes('Toimialasegmentti'), `history names the field: ${text}`);
    assert(text.includes('—') && text.includes('→'), `history shows old → new: ${text}`);
    const first = await page.locator('table.history tbody tr').first().textContent();
    assert(first.includes('agent'), `history names who changed it: ${first}`);
    assert(/\d{1,2}\.\d{1,2}\.\d{4}/.test(first), `history shows when, in Finnish format: ${first}`);
    await shot(page, 'organisation-history-after-edit');
  });
});

runner.test('organisation list: filters by customer group and value class, kept in the URL', async () => {
  const staff = await apiSession('agent', 'demo-agent-pass');
  const target = await orgByName(staff, 'Åland Shipping Ab');
  const other = await orgByName(staff, 'Lappeenrannan Rajakauppa Oy');
  const set = await staff.send('PATCH', `/organisations/${target.id}`, { customer_group: 'partnership', value_class: 'strategic' });
  assertEqual(set.status, 200, 'customer group and value class set');
  const set2 = await staff.send('PATCH', `/organisations/${other.id}`, { customer_group: 'partnership', value_class: 'middle' });
  assertEqual(set2.status, 200, 'second organisation set');
  await withBrowser('list-filters', async (page) => {
    await login(page, 'agent', 'demo-agent-pass');
    await page.waitForSelector('a.result-link');
    const names = () => page.locator('a.result-link').allTextContents();
    await page.selectOption('#f-filter-customer_group', 'partnership');
    await page.waitForURL(/customer_group=partnership/);
    await page.waitForFunction(() => document.querySelectorAll('a.result-link').length === 2
      && !document.querySelector('table.results.stale'));
    assertEqual((await names()).join('|'), 'Lappeenrannan Rajakauppa Oy|Åland Shipping Ab', 'customer group filter');
    const groups = await page.locator('#org-results tbody tr td:nth-child(6)').allTextContents();
    assert(groups.every((g) => g === 'Kumppanuusasiakas'), `every row is in the group: ${groups}`);
    await page.selectOption('#f-filter-value_class', 'strategic');
    await page.waitForURL(/value_class=strategic/);
    await page.waitForFunction(() => document.querySelectorAll('a.result-link').length === 1
      && !document.querySelector('table.results.stale'));
    assertEqual((await names()).join('|'), 'Åland Shipping Ab', 'customer group and value class together');
    await shot(page, 'organisation-list-filters');
    await accessible(page, 'organisation list with filters');
    // A reload keeps the filters (they are in the URL) and the same result.
    await page.reload();
    await page.waitForSelector('a.result-link');
    assertEqual(await page.inputValue('#f-filter-customer_group'), 'partnership', 'group filter after reload');
    assertEqual(await page.inputValue('#f-filter-value_class'), 'strategic', 'value class filter after reload');
    assertEqual((await names()).join('|'), 'Åland Shipping Ab', 'same result after reload');
    // A value class nobody has: the list says so.
    await page.selectOption('#f-filter-value_class', 'prospective');
    await page.waitForSelector('a.result-link', { state: 'detached' });
    assert((await page.textContent('.result-count')).includes('Hakuehtoja vastaavia'), 'no results is said');
  });
});

runner.test('invalid Business ID: the error is shown next to the field and nothing is saved', async () => {
  const session = await apiSession('agent', 'demo-agent-pass');
  const before = await orgByName(session, 'Vaasan Vienti Ab');
  await withBrowser('invalid-business-id', async (page) => {
    await login(page, 'agent', 'demo-agent-pass');
    await page.goto(`${base}/organisations/${before.id}/edit`);
    await page.waitForSelector('#f-business_id');
    await page.fill('#f-business_id', '1234567-0');  // wrong check digit (the right one is 1)
    await page.fill('#f-name', 'Vaasan Vienti Ab (muutettu)');
    await page.click('form.org-form button[type=submit]');
    const error = page.locator('#f-business_id-error');
    await error.waitFor();
    assert((await error.textContent()).includes('Tarkiste'), 'the checksum message in Finnish');
    const described = await page.getAttribute('#f-business_id', 'aria-describedby');
    assert(described.split(' ').includes('f-business_id-error'), 'the input is described by its error');
    assertEqual(await page.getAttribute('#f-business_id', 'aria-invalid'), 'true', 'the input is marked invalid');
    // The error sits in the Business ID field's own container, not elsewhere.
    const sameField = await page.evaluate(() => document.querySelector('#f-business_id-error').closest('.field')
      === document.querySelector('#f-business_id').closest('.field'));
    assert(sameField, 'the error is next to the Business ID field');
    assert(await page.isVisible('.error-summary a[href="#f-business_id"]'), 'the summary links to the field');
    await shot(page, 'organisation-form-invalid-business-id');
    await accessible(page, 'organisation form with errors');
  });
  const after = await session.get(`/organisations/${before.id}`);
  assertEqual(after.body.version, before.version, 'version unchanged');
  assertEqual(after.body.name, before.name, 'name unchanged');
  assertEqual(after.body.business_id, before.business_id, 'Business ID unchanged');
});

async function assertNoUntranslated(page, lang, screen) {
  const texts = await visibleTexts(page);
  const bad = texts.filter((s) => allKeys.has(s) || KEY_SHAPE.test(s));
  assert(bad.length === 0, `${lang} ${screen}: untranslated keys visible: ${bad.join(', ')}`);
  assertEqual(await page.getAttribute('html', 'lang'), lang, `${screen}: <html lang>`);
}

runner.test('languages: Swedish and Finnish show no untranslated key on any screen; the choice is remembered', async () => {
  const session = await apiSession('agent', 'demo-agent-pass');
  const org = await orgByName(session, 'Demo Import Oy');
  await withBrowser('languages', async (page) => {
    await page.goto(`${base}/`);
    await page.waitForSelector('#f-username');
    for (const [lang, name] of [['sv', 'Svenska'], ['fi', 'Suomi']]) {
      await setLanguage(page, name);
      await assertNoUntranslated(page, lang, 'login');
      await shot(page, `login-${lang}`);
    }
    await setLanguage(page, 'Svenska');
    await login(page, 'admin', 'demo-admin-pass');
    for (const [lang, name] of [['sv', 'Svenska'], ['fi', 'Suomi']]) {
      await setLanguage(page, name);
      const screens = [
        ['organisation list', '/organisations', 'a.result-link'],
        ['organisation page', `/organisations/${org.id}`, 'table.history tbody tr'],
        ['organisation edit', `/organisations/${org.id}/edit`, '#f-name'],
        ['new organisation', '/organisations/new', '#f-name'],
        ['import', '/import', 'h1'],
        ['not found', '/organisations/999999', '.notice'],
      ];
      for (const [screen, url, ready] of screens) {
        await page.goto(`${base}${url}`);
        await page.waitForSelector(ready);
        await page.waitForFunction(() => !document.querySelector('.loading'));
        await assertNoUntranslated(page, lang, screen);
        await shot(page, `${screen.replace(/ /g, '-')}-${lang}`);
        if (lang === 'sv') await accessible(page, `${screen} (sv)`);
      }
    }
    // Swedish really is Swedish, and survives a reload.
    await setLanguage(page, 'Svenska');
    await page.goto(`${base}/organisations`);
    await page.waitForSelector('a.result-link');
    assert(await page.isVisible('nav a:has-text("Organisationer")'), 'Swedish navigation after reload');
    assertEqual(await page.getAttribute('html', 'lang'), 'sv', 'remembered language');
    const dateText = await page.evaluate(() => new Intl.DateTimeFormat('sv-FI', { timeZone: 'Europe/Helsinki' }).resolvedOptions().timeZone);
    assertEqual(dateText, 'Europe/Helsinki', 'time zone available');
  });
});

runner.test('trader: lands on their own organisation, edits addresses and contacts, cannot reach another organisation', async () => {
  const staff = await apiSession('agent', 'demo-agent-pass');
  const own = await orgByName(staff, 'Demo Import Oy');
  const other = await orgByName(staff, 'Pohjolan Kuljetus Oy');
  const otherContact = await staff.send('POST', `/organisations/${other.id}/contacts`,
    { first_name: 'Pirjo', last_name: 'Pohjola', email: 'pirjo@pohjola.example' });
  assertEqual(otherContact.status, 201, 'a contact of another organisation');
  await withBrowser('trader', async (page) => {
    await login(page, 'trader', 'demo-trader-pass');
    await page.waitForURL(`${base}/organisations/${own.id}`);
    await page.waitForSelector('h1:has-text("Demo Import Oy")');
    await page.waitForSelector('table.history tbody tr');
    const navLinks = await page.locator('nav[aria-label] a').allTextContents();
    assertEqual(navLinks[0], 'Oma organisaatio', 'a trader starts from their organisation in the navigation');
    assert(!navLinks.includes('Organisaatiot') && !navLinks.includes('CSV-tuonti'), `no staff pages for a trader: ${navLinks}`);
    await shot(page, 'trader-own-organisation');
    await accessible(page, 'trader organisation page');

    // Edit: only addresses and languages are offered.
    await page.click('main a.button[href$="/edit"]');
    await page.waitForSelector('#f-addresses-0-city');
    assert(!(await page.isVisible('#f-name')), 'no name field for a trader');
    assert(!(await page.isVisible('#f-business_id')), 'no Business ID field for a trader');
    await accessible(page, 'trader edit form');
    await page.fill('#f-addresses-0-street', 'Ruoholahdenkatu 8');
    await page.click('form.org-form button[type=submit]');
    await page.locator('table.history tbody tr', { hasText: 'Ruoholahdenkatu 8' }).first().waitFor();
    await shot(page, 'trader-after-edit');

    // Contacts of the own organisation: add one, open it, change it, see it saved and in the history.
    await page.click('button:has-text("Lisää yhteyshenkilö")');
    await page.fill('#f-first_name', 'Tiina');
    await page.fill('#f-last_name', 'Tullaaja');
    await page.fill('#f-email', 'tiina.tullaaja@demo.example');
    await page.click('form.subform button[type=submit]');
    await page.click('a:has-text("Tiina Tullaaja")');
    await page.waitForSelector('h1:has-text("Tiina Tullaaja")');
    assert(!(await page.isVisible('#privacy-title')), 'no privacy actions for a trader');
    await page.click('main button:has-text("Muokkaa")');
    await page.waitForSelector('#f-phone');
    await accessible(page, 'trader contact edit form');
    await page.fill('#f-phone', '+358 9 555 0101');
    await page.check('input[name="/contact_roles"][value="customs_contact"]');
    await page.click('main form button[type=submit]');
    await page.waitForSelector('#contact-details-title');
    const details = await page.textContent('dl.details');
    assert(details.includes('+358 9 555 0101') && details.includes('Tulli- tai ilmoittajayhteyshenkilö'),
      `the change is shown as saved: ${details}`);
    const historyRow = page.locator('table.history tbody tr', { hasText: '+358 9 555 0101' }).first();
    await historyRow.waitFor();
    assert((await historyRow.textContent()).includes('trader'), 'the history names the trader');
    const saved = await staff.get(`/contacts/${page.url().split('/').pop()}`);
    assertEqual(saved.body.phone, '+358 9 555 0101', 'saved on the server');
    await shot(page, 'trader-contact-saved');
    await accessible(page, 'trader contact page');

    // Another organisation, by typing its URL: not found, and nothing of it is shown.
    for (const url of [`/organisations/${other.id}`, `/organisations/${other.id}/edit`,
      `/contacts/${otherContact.body.id}`]) {
      await page.goto(`${base}${url}`);
      await page.waitForSelector('.notice');
      const body = await page.textContent('main');
      assert(!body.includes('Pohjol') && !body.includes('Pirjo'), `${url}: nothing of the other organisation is shown`);
      assert(body.includes('Ei löytynyt'), `${url}: "not found" is shown`);
    }
    await shot(page, 'trader-other-organisation');
    await accessible(page, 'trader: another organisation');
    // Staff screens send a trader home.
    for (const url of ['/organisations', '/organisations/new', '/import']) {
      await page.goto(`${base}${url}`);
      await page.waitForURL(`${base}/organisations/${own.id}`);
    }
  });
});

runner.test('quick search: "makinen" finds Mäkinen Huolinta Oy as you type; keyboard to the result; scoped for a trader', async () => {
  await withBrowser('quick-search', async (page) => {
    await login(page, 'agent', 'demo-agent-pass');
    await page.waitForSelector('#quick-search');
    await page.fill('#quick-search', 'makinen');
    const hit = page.locator('#quick-results a.quick-link[data-type="organisation"]', { hasText: 'Mäkinen Huolinta Oy' });
    await hit.waitFor();
    assert((await page.textContent('#quick-results .quick-status')).startsWith('Osumia'), 'the result count is shown');
    await shot(page, 'quick-search');
    await accessible(page, 'quick search results');
    // Keyboard: down into the results, Escape back to the box, down again and Enter opens the page.
    await page.focus('#quick-search');
    await page.keyboard.press('ArrowDown');
    const first = await page.evaluate(() => document.activeElement.querySelector('.quick-title')?.textContent);
    assertEqual(first, 'Mäkinen Huolinta Oy', 'ArrowDown moves to the first result');
    await page.keyboard.press('Escape');
    assertEqual(await page.evaluate(() => document.activeElement.id), 'quick-search', 'Escape returns to the box');
    assert(!(await page.isVisible('#quick-results')), 'Escape closes the results');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('h1:has-text("Mäkinen Huolinta Oy")');
    assert(!(await page.isVisible('#quick-results')), 'the results close after navigation');
    assertEqual(await page.inputValue('#quick-search'), '', 'the box is emptied after navigation');
    // Contacts are found too and open their own page.
    const staff = await apiSession('agent', 'demo-agent-pass');
    const org = await orgByName(staff, 'Vaasan Vienti Ab');
    const c = await staff.send('POST', `/organisations/${org.id}/contacts`,
      { first_name: 'Åsa', last_name: 'Öberg', email: 'asa.oberg@vaasan.example' });
    assertEqual(c.status, 201, 'a contact to find');
    await page.fill('#quick-search', 'asa ober');
    await page.click(`#quick-results a.quick-link[data-type="contact"][href="/contacts/${c.body.id}"]`);
    await page.waitForSelector('h1:has-text("Åsa Öberg")');
  });
  // A trader's quick search finds nothing of other organisations.
  await withBrowser('quick-search-trader', async (page) => {
    await login(page, 'trader', 'demo-trader-pass');
    await page.fill('#quick-search', 'makinen');
    await page.waitForFunction(() => document.querySelector('#quick-results .quick-status')?.textContent === 'Ei osumia.');
    await page.fill('#quick-search', 'demo imp');
    await page.locator('#quick-results a.quick-link', { hasText: 'Demo Import Oy' }).waitFor();
  });
});

runner.test('login: a wrong password is reported; logout ends the session', async () => {
  await withBrowser('login', async (page) => {
    await page.goto(`${base}/organisations`);
    await page.waitForSelector('#f-username');
    await accessible(page, 'login');
    await page.fill('#f-username', 'agent');
    await page.fill('#f-password', 'wrong-password');
    await page.click('form button[type=submit]');
    await page.waitForSelector('#login-error');
    await shot(page, 'login-failed');
    await accessible(page, 'login failed');
    await page.fill('#f-password', 'demo-agent-pass');
    await page.click('form button[type=submit]');
    await page.waitForURL(`${base}/organisations`);  // back where the user wanted to go
    await page.click('header button:has-text("Kirjaudu ulos")');
    await page.waitForSelector('#f-username');
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assertEqual(me, 401, 'the session is gone after logout');
  });
});

runner.test('error banner: a failed request shows a visible banner', async () => {
  await withBrowser('banner', async (page) => {
    await login(page, 'agent', 'demo-agent-pass');
    await page.waitForSelector('a.result-link');
    // The server refuses the session from now on (as after an expiry): the UI says so and asks to log in.
    await page.context().clearCookies();
    await page.fill('#org-search', 'Dem');
    await page.waitForSelector('.banner-error');
    await page.waitForSelector('#f-username');
    assert((await page.textContent('.banner-error')).includes('Istuntosi on päättynyt'), 'session-expired banner');
    await shot(page, 'error-banner');
  });
});

// Finnish Business ID with its check digit (weights 7 9 10 5 8 4 2, mod 11), or null when the
// seven digits have no valid check digit (remainder 1).
function businessId(digits) {
  const w = [7, 9, 10, 5, 8, 4, 2];
  const r = [...digits].reduce((s, d, i) => s + Number(d) * w[i], 0) % 11;
  if (r === 1) return null;
  return `${digits}-${r === 0 ? 0 : 11 - r}`;
}
function validBusinessId(seed) {
  for (let n = seed; ; n++) {
    const id = businessId(String(n).padStart(7, '0'));
    if (id) return id;
  }
}

// True when the server routes `path` for some method other than `method` (405, not 404).
async function serverHas(method, path) {
  return (await fetch(`${base}${path}`, { method })).status === 405;
}

runner.test('CSV import: one bad row in all-or-nothing mode imports nothing and the report names the row', async () => {
  if (!(await serverHas('GET', '/api/v1/imports'))) throw new Skip('no /api/v1/imports endpoint');
  const good1 = validBusinessId(4711001);
  const good2 = validBusinessId(4711101);
  const [digits, check] = validBusinessId(4711201).split('-');
  const bad = `${digits}-${(Number(check) + 1) % 10}`;  // a wrong check digit
  const csv = `name,business_id\r\nE2E Tuonti Oy,${good1}\r\nE2E Virhe Oy,${bad}\r\nE2E Kolmas Oy,${good2}\r\n`;
  const file = path.join(workDir, 'import-one-bad-row.csv');
  fs.writeFileSync(file, csv);
  await withBrowser('import', async (page) => {
    await login(page, 'agent', 'demo-agent-pass');
    await page.click('nav a[href="/import"]');
    await page.waitForSelector('#f-file');
    await accessible(page, 'import');
    await page.selectOption('#f-kind', 'organisations');
    await page.check('input[name=mode][value=all_or_nothing]');
    await page.setInputFiles('#f-file', file);
    await page.click('main form button[type=submit]');
    await page.waitForSelector('#import-progress');
    await page.waitForSelector('#import-result');
    await page.waitForSelector('#import-report tbody tr');
    const result = await page.textContent('#import-result');
    assert(result.includes('Mitään ei tuotu'), `nothing imported: ${result}`);
    const rows = await page.locator('#import-report tbody tr').allTextContents();
    assert(rows.some((r) => r.startsWith('3') && r.includes('business_id')), `the report names line 3, business_id: ${rows}`);
    assertEqual(await page.getAttribute('#import-progress', 'value'), await page.getAttribute('#import-progress', 'max'),
      'the progress bar is full');
    await shot(page, 'import-report');
    await accessible(page, 'import report');
  });
  const session = await apiSession('agent', 'demo-agent-pass');
  const r = await session.get('/organisations?q=E2E');
  assertEqual(r.body.items.length, 0, 'all or nothing: no row was written');
});

runner.test('contact person: add, export personal data, erase only after confirmation', async () => {
  if (!(await serverHas('PUT', '/api/v1/contacts/0'))) throw new Skip('no /api/v1/contacts endpoints');
  const staff = await apiSession('agent', 'demo-agent-pass');
  const org = await orgByName(staff, 'Mäkinen Huolinta Oy');
  await withBrowser('contact', async (page) => {
    await login(page, 'admin', 'demo-admin-pass');
    await page.goto(`${base}/organisations/${org.id}`);
    await page.waitForSelector('#contacts-title');
    await page.click('button:has-text("Lisää yhteyshenkilö")');
    await page.fill('#f-first_name', 'Aino');
    await page.fill('#f-last_name', 'Testaaja');
    await page.fill('#f-email', 'aino.testaaja@example.com');
    await page.click('form.subform button[type=submit]');
    await page.click('a:has-text("Aino Testaaja")');
    await page.waitForSelector('h1:has-text("Aino Testaaja")');
    await shot(page, 'contact-page');
    await accessible(page, 'contact page');
    await page.click('button:has-text("Vie henkilötiedot")');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    const exported = fs.readFileSync(await download.path(), 'utf8');
    assert(exported.includes('aino.testaaja@example.com'), 'the export holds the e-mail');
    // Erase: cancelling changes nothing; confirming erases.
    await page.click('button.danger:has-text("Poista henkilötiedot")');
    await page.waitForSelector('dialog[open]');
    await shot(page, 'contact-erase-confirmation');
    await accessible(page, 'contact erase confirmation');
    await page.click('dialog button:has-text("Peruuta")');
    await page.waitForSelector('dialog[open]', { state: 'detached' });
    assert(await page.isVisible('h1:has-text("Aino Testaaja")'), 'cancel keeps the person');
    await page.click('button.danger:has-text("Poista henkilötiedot")');
    await page.click('dialog button:has-text("Poista pysyvästi")');
    await page.waitForSelector('h1:has-text("Poistettu yhteyshenkilö")');
    // The history is reloaded after the erasure; then no trace of the e-mail is left on the page.
    await page.waitForFunction(() => !document.querySelector('main').textContent.includes('aino.testaaja@example.com')
      && !document.querySelector('.loading'), null, { timeout: WAIT_MS })
      .catch(() => { throw new Error('assertion failed: the e-mail is gone after the erasure'); });
    await shot(page, 'contact-erased');
  });
});

runner.test('routes: the server\'s page list (kUiPages) equals the UI router\'s table (ROUTES)', async () => {
  const hpp = fs.readFileSync(path.join(repoRoot, 'src/customsdesk/api/ui_routes.hpp'), 'utf8');
  const block = hpp.slice(hpp.indexOf('kUiPages[]'), hpp.indexOf('};', hpp.indexOf('kUiPages[]')));
  const server = [...block.matchAll(/"([^"]*)"/g)].map((m) => m[1].replace(/\{(\w+)\}/g, ':$1'));
  const js = fs.readFileSync(path.join(repoRoot, 'web/js/router.js'), 'utf8');
  const client = [...js.matchAll(/\['(\/[^']*)', '[^']+'\]/g)].map((m) => m[1]);
  assertEqual(JSON.stringify([...server].sort()), JSON.stringify([...client].sort()), 'kUiPages == ROUTES');
  for (const p of server) {
    const r = await fetch(`${base}${p.replace(/:\w+/g, '1')}`);
    assertEqual(r.status, 200, `${p} serves index.html`);
  }
});

const helpers = { base, withBrowser, login, setLanguage, apiSession, shot, accessible, assertNoUntranslated, serverHas };
(await import('./servicedesk.mjs')).register(runner, helpers);
(await import('./declarations.mjs')).register(runner, helpers);

let failed = 1;
try {
  failed = await runner.run(filter);
} finally {
  fs.writeFileSync(path.join(artifactDir, 'axe-report.json'), JSON.stringify(axeReport, null, 1));
  await server.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
