// Browser tests of the declaration screens (issue 7), registered by run.mjs on its runner and
// server. `h` carries run.mjs's helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Skip, assert, assertEqual } from './harness.mjs';

export function register(runner, h) {
  const { base, withBrowser, login, setLanguage, apiSession, shot, accessible, assertNoUntranslated, serverHas } = h;

  runner.test('declarations: a trader lodges an H7 by form and follows it; an officer opens one under control with its risk explanation and releases it', async () => {
    if (!(await serverHas('PUT', '/api/v1/declarations'))) throw new Skip('no /api/v1/declarations endpoints');
    const lrn = `E2E-H7-${Date.now()}`;
    await withBrowser('decl-trader', async (page) => {
      await login(page, 'trader', 'demo-trader-pass');
      await page.click('nav a[href="/declarations/new"]');
      await page.waitForSelector('#f-lrn');
      // The declarant is the trader's organisation: its EORI is filled in.
      await page.waitForFunction(() => document.querySelector('#f-declarant-identification_number').value.startsWith('FI'));
      await page.fill('#f-lrn', lrn);
      await page.fill('#f-country_of_dispatch', 'CN');
      await page.fill('#f-invoice_amount', '39,90');
      await page.fill('#f-items-0-commodity_code', '12');  // not a commodity code
      await page.fill('#f-items-0-description', 'Lelurakennuspalikat');
      await page.fill('#f-items-0-gross_mass', '0,8');
      await page.fill('#f-items-0-net_mass', '0,6');
      await page.fill('#f-items-0-item_amount', '39,90');
      await page.fill('#f-items-0-customs_value', '39,90');
      await page.fill('#f-items-0-country_of_origin', 'CN');
      await page.click('form.decl-form button[type=submit]');
      await page.waitForSelector('#f-items-0-commodity_code-error');
      assertEqual(await page.getAttribute('#f-items-0-commodity_code', 'aria-invalid'), 'true', 'the code is marked invalid');
      assert(await page.isVisible('.error-summary a[href="#f-items-0-commodity_code"]'), 'the summary links to the item field');
      assert((await page.textContent('.error-summary')).includes('Tavaraerä 1'), 'the summary names the item');
      await shot(page, 'decl-new-h7-errors');
      await accessible(page, 'new declaration with errors');
      const mine = await apiSession('trader', 'demo-trader-pass');
      const none = await mine.get('/declarations?limit=200');
      assert(!none.body.items.some((d) => d.lrn === lrn), 'nothing stored for a refused declaration');
      await page.fill('#f-items-0-commodity_code', '950300');
      await page.click('form.decl-form button[type=submit]');
      await page.waitForURL(/\/declarations\/\d+$/);
      await page.waitForSelector('#decl-details');
      const mrn = (await page.textContent('#decl-mrn')).trim();
      assert(/^\d{2}[A-Z]{2}[A-Z0-9]{12,14}$/.test(mrn), `an MRN is shown: ${mrn}`);
      await shot(page, 'decl-trader-lodged');
      await accessible(page, 'trader: declaration page');
      await page.click('nav a[href="/declarations"]');
      const row = page.locator(`#decl-list tbody tr[data-lrn="${lrn}"]`);
      await row.waitFor();
      const text = await row.textContent();
      assert(text.includes(mrn), `my declarations show the MRN: ${text}`);
      assert(await row.locator('.tag').first().isVisible(), 'my declarations show the state');
      await shot(page, 'decl-my-declarations');
      await accessible(page, 'trader: my declarations');
      await setLanguage(page, 'English');
      await assertNoUntranslated(page, 'en', 'my declarations');
      await shot(page, 'decl-my-declarations-en');
    });

    const officer = await apiSession('officer', 'demo-officer-pass');
    const queue = await officer.get('/declarations?state=under_documentary_control&limit=50');
    const physical = await officer.get('/declarations?state=under_physical_control&limit=50');
    const target = [...(queue.body.items || []), ...(physical.body.items || [])][0];
    if (!target) throw new Skip('no declaration under control (the control helper\'s lanes have not landed)');
    await withBrowser('decl-officer', async (page) => {
      await login(page, 'officer', 'demo-officer-pass');
      await page.goto(`${base}/declarations`);
      const row = page.locator(`#decl-list tbody tr[data-lrn="${target.lrn}"]`);
      await row.waitFor();
      await shot(page, 'decl-officer-queue');
      await accessible(page, 'officer: work queue');
      await row.locator('a.result-link').click();
      await page.waitForSelector('#decl-details');
      await page.waitForSelector('#decl-risk-title');
      await page.waitForSelector('#decl-tax-title');
      await shot(page, 'decl-officer-declaration');
      await accessible(page, 'officer: declaration');
      await page.fill('#f-reason', 'Asiakirjat tarkastettu, ei huomautettavaa.');
      await page.click('#decl-actions button[data-action="release"]');
      await page.waitForFunction(() => document.querySelector('#decl-state')?.textContent === 'Luovutettu');
      await page.locator('#decl-history tbody tr', { hasText: 'Asiakirjat tarkastettu' }).waitFor();
      await shot(page, 'decl-officer-released');
      await setLanguage(page, 'English');
      await assertNoUntranslated(page, 'en', 'declaration page');
      await shot(page, 'decl-officer-released-en');
    });
    const after = await officer.get(`/declarations/${target.id}`);
    assertEqual(after.body.state, 'released', 'released on the server');
  });

  runner.test('declarations: a trader submits a draft', async () => {
    if (!(await serverHas('PUT', '/api/v1/declarations'))) throw new Skip('no /api/v1/declarations endpoints');
    const trader = await apiSession('trader', 'demo-trader-pass');
    const list = await trader.get('/declarations?state=draft&limit=50');
    const draft = (list.body.items || []).find((d) => d.lrn === 'DEMO-H1-DRAFT');
    assert(draft, 'the demo draft exists');
    await withBrowser('decl-draft', async (page) => {
      await login(page, 'trader', 'demo-trader-pass');
      await page.goto(`${base}/declarations/${draft.id}`);
      await page.waitForSelector('#decl-draft');
      await accessible(page, 'trader: draft');
      await page.click('#decl-draft button:has-text("Lähetä luonnos")');
      await page.waitForFunction(() => !document.querySelector('#decl-draft') && document.querySelector('#decl-mrn')?.textContent.trim() !== '—');
      await shot(page, 'decl-draft-submitted');
    });
    const after = await trader.get(`/declarations/${draft.id}`);
    assert(after.body.state !== 'draft' && after.body.mrn, `submitted and accepted: ${after.body.state}`);
  });

  runner.test('risk profiles: a risk analyst lands on the active profiles with their hits, controls and hit rates', async () => {
    if (!(await serverHas('POST', '/api/v1/selectivity/profiles'))) throw new Skip('no /api/v1/selectivity endpoints');
    await withBrowser('risk-profiles', async (page) => {
      await login(page, 'analyst', 'demo-analyst-pass');
      await page.waitForURL(`${base}/risk/profiles`);
      await page.waitForSelector('#risk-profiles tbody tr');
      const rows = await page.locator('#risk-profiles tbody tr').count();
      assert(rows >= 1, 'the active profiles are listed');
      await shot(page, 'risk-profiles');
      await accessible(page, 'risk profiles');
      await setLanguage(page, 'English');
      await assertNoUntranslated(page, 'en', 'risk profiles');
      await shot(page, 'risk-profiles-en');
    });
  });

  runner.test('control: an officer requests documents, the trader uploads one, the officer records the result and decides', async () => {
    if (!(await serverHas('PUT', '/api/v1/control/queue'))) throw new Skip('no /api/v1/control endpoints');
    const officer = await apiSession('officer', 'demo-officer-pass');
    const q = await officer.get('/control/queue?limit=100');
    if (q.status !== 200) throw new Skip(`the control queue answers ${q.status}`);
    const trader = await apiSession('trader', 'demo-trader-pass');
    const own = new Set(((await trader.get('/declarations?limit=200')).body.items || []).map((d) => d.id));
    const target = (q.body.items || []).find((d) => d.state === 'under_documentary_control' && own.has(d.id));
    if (!target) throw new Skip('no declaration of the demo trader under documentary control');
    const file = path.join(os.tmpdir(), `kauppalasku-${Date.now()}.pdf`);
    fs.writeFileSync(file, '%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    await withBrowser('control-officer-request', async (page) => {
      await login(page, 'officer', 'demo-officer-pass');
      await page.goto(`${base}/declarations?state=under_control&office=${encodeURIComponent(target.office)}`);
      const row = page.locator(`#decl-list tbody tr[data-lrn="${target.lrn}"]`);
      await row.waitFor();
      await row.locator('a.result-link').click();
      await page.waitForSelector('#docreq-form');
      await page.fill('#f-required_documents', 'Kauppalasku\nKuljetussopimus');
      await page.fill('#f-docreq-message', 'Toimittakaa kauppalasku ja kuljetussopimus.');
      await page.click('#docreq-form button[type=submit]');
      await page.locator('#control-doc-requests li', { hasText: 'Kauppalasku' }).waitFor();
      await shot(page, 'control-document-requested');
      await accessible(page, 'officer: control panel');
    });
    await withBrowser('control-trader-upload', async (page) => {
      await login(page, 'trader', 'demo-trader-pass');
      await page.goto(`${base}/declarations/${target.id}`);
      await page.waitForSelector('#trader-doc-requests');
      assert((await page.textContent('#trader-doc-requests')).includes('Kuljetussopimus'), 'the trader sees what is requested');
      await page.setInputFiles('#trader-doc-requests input[type=file]', file);
      await page.click('#trader-doc-requests button[type=submit]');
      await page.locator('#trader-doc-requests a[download]', { hasText: 'kauppalasku' }).waitFor();
      await shot(page, 'control-trader-uploaded');
      await accessible(page, 'trader: document request');
      await setLanguage(page, 'English');
      await assertNoUntranslated(page, 'en', 'trader document request');
    });
    await withBrowser('control-officer-decide', async (page) => {
      await login(page, 'officer', 'demo-officer-pass');
      await page.goto(`${base}/declarations/${target.id}`);
      await page.locator('#control-doc-requests a[download]', { hasText: 'kauppalasku' }).waitFor();
      // A non-compliant result needs a category: shown at the field when missing.
      await page.check('input[name=outcome][value=non_compliant]');
      await page.fill('#f-finding-note', 'Arvo tarkistettu laskusta.');
      await page.click('#finding-form button[type=submit]');
      await page.waitForSelector('#f-finding-category-error, .banner-error');
      await page.selectOption('#f-finding-category', 'undervaluation');
      await page.click('#finding-form button[type=submit]');
      await page.locator('#control-findings tbody tr', { hasText: 'Alihinnoittelu' }).waitFor();
      await page.click('#control-doc-requests button:has-text("Tallenna päätös")');
      await page.waitForFunction(() => document.querySelector('#decl-state')?.textContent === 'Luovutettu');
      await shot(page, 'control-decided');
      await accessible(page, 'officer: decided');
      await setLanguage(page, 'English');
      await assertNoUntranslated(page, 'en', 'officer control panel');
      await shot(page, 'control-decided-en');
    });
    const after = await officer.get(`/declarations/${target.id}`);
    assertEqual(after.body.state, 'released', 'released on the server');
  });

  runner.test('languages: the service desk, declaration and risk screens in Swedish and Finnish show no untranslated key', async () => {
    const hasSd = await serverHas('PUT', '/api/v1/servicedesk/requests');
    const hasDecl = await serverHas('PUT', '/api/v1/declarations');
    if (!hasSd && !hasDecl) throw new Skip('neither /api/v1/servicedesk nor /api/v1/declarations');
    const trader = await apiSession('trader', 'demo-trader-pass');
    let requestId = null;
    if (hasSd) {
      const r = await trader.send('POST', '/servicedesk/requests', { type: 'question', subject: 'Alkuperäkysymys',
        body: 'Miten alkuperä osoitetaan?', form: { topic: 'origin' } });
      assertEqual(r.status, 201, 'a request to show');
      requestId = r.body.id;
    }
    const decl = hasDecl ? ((await trader.get('/declarations?limit=5')).body.items || [])[0] : null;
    const FEATURE_RISK = await serverHas('POST', '/api/v1/selectivity/profiles');
    const screens = (who) => (who === 'admin' ? [
      ...(hasSd ? [['queue', '/servicedesk', '#sd-queue'], ['request', `/servicedesk/${requestId}`, '#sd-thread, .thread, #sd-details']] : []),
      ...(hasDecl ? [['declaration queue', '/declarations?state=', '#decl-list'], ['declaration', `/declarations/${decl.id}`, '#decl-details']] : []),
      ...((hasDecl && FEATURE_RISK) ? [['risk profiles', '/risk/profiles', 'h1']] : []),
    ] : [
      ...(hasSd ? [['new request', '/servicedesk/new?type=malfunction_report', '#eform'], ['my requests', '/servicedesk', '#sd-queue'],
        ['my request', `/servicedesk/${requestId}`, '#sd-details']] : []),
      ...(hasDecl ? [['new declaration', '/declarations/new', '#f-lrn'], ['my declarations', '/declarations', '#decl-list'],
        ['my declaration', `/declarations/${decl.id}`, '#decl-details']] : []),
    ]);
    for (const [who, password] of [['admin', 'demo-admin-pass'], ['trader', 'demo-trader-pass']]) {
      await withBrowser(`languages-${who}`, async (page) => {
        await login(page, who, password);
        for (const [lang, name] of [['sv', 'Svenska'], ['fi', 'Suomi']]) {
          await setLanguage(page, name);
          for (const [screen, url, ready] of screens(who)) {
            await page.goto(`${base}${url}`);
            await page.waitForSelector(ready);
            await page.waitForFunction(() => !document.querySelector('.loading'));
            await assertNoUntranslated(page, lang, `${who}: ${screen}`);
            if (lang === 'sv') {
              await shot(page, `${who}-${screen.replace(/ /g, '-')}-sv`);
              await accessible(page, `${who}: ${screen} (sv)`);
            }
          }
        }
      });
    }
  });
}
