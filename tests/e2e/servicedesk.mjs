// Browser tests of the service-desk screens (issue 6), registered by run.mjs on its runner and
// server. `h` carries run.mjs's helpers (base, withBrowser, login, setLanguage, apiSession, shot,
// accessible, assertNoUntranslated, serverHas).
import { Skip, assert, assertEqual } from './harness.mjs';

export function register(runner, h) {
  const { base, withBrowser, login, setLanguage, apiSession, shot, accessible, assertNoUntranslated, serverHas } = h;

  runner.test('service desk: a trader reports a malfunction, it is routed to EDI support, a specialist answers, the trader sees the reply', async () => {
    if (!(await serverHas('PUT', '/api/v1/servicedesk/requests'))) throw new Skip('no /api/v1/servicedesk endpoints');
    const staff = await apiSession('agent', 'demo-agent-pass');
    const canned = await staff.send('POST', '/servicedesk/canned-responses', { name: 'EDI-vika tutkitaan', language: 'fi',
      body: 'Hei {{requester.name}}, EDI-tuki tutkii pyyntöä {{request.number}}.' });
    assertEqual(canned.status, 201, 'a canned response');
    let number = '';
    let requestId = 0;
    await withBrowser('sd-trader-new', async (page) => {
      await login(page, 'trader', 'demo-trader-pass');
      await page.click('nav a[href="/servicedesk/new"]');
      await page.waitForSelector('#f-type');
      await page.selectOption('#f-type', 'malfunction_report');
      // The e-form of the type, from its definition, in Finnish.
      await page.waitForSelector('#eform #f-form-system');
      const labels = await page.locator('#eform label, #eform legend').allTextContents();
      assert(labels.some((l) => l.startsWith('Järjestelmä')) && labels.some((l) => l.startsWith('Havaittu')),
        `Finnish labels from the form definition: ${labels}`);
      const options = await page.locator('#f-form-system option').allTextContents();
      assert(options.includes('EDI-sanomat') && options.includes('Rajapinta (API)'), `allowed values as options: ${options}`);
      assertEqual(await page.getAttribute('#f-form-occurred_on', 'type'), 'date', 'a date field');
      assertEqual(await page.getAttribute('#f-form-affects_clearance', 'type'), 'checkbox', 'a checkbox field');
      // Sent without the required answers and with a reference of the wrong form: each error at its field.
      await page.fill('#f-subject', 'EDI-sanomat eivät mene läpi');
      await page.fill('#f-body', 'Tuonti-ilmoitusten EDI-sanomat palautuvat virheellä aamusta alkaen.');
      await page.fill('#f-form-message_reference', 'ei kelpaa!');
      await page.click('form.sd-new-form button[type=submit]');
      await page.waitForSelector('#f-form-system-error');
      await page.waitForSelector('#f-form-occurred_on-error');
      await page.waitForSelector('#f-form-message_reference-error');
      assertEqual(await page.getAttribute('#f-form-system', 'aria-invalid'), 'true', 'the select is marked invalid');
      assert((await page.getAttribute('#f-form-system', 'aria-describedby')).includes('f-form-system-error'), 'described by its error');
      assert(await page.isVisible('.error-summary a[href="#f-form-system"]'), 'the summary links to the field');
      assert((await page.textContent('.error-summary')).includes('Järjestelmä'), 'the summary names the field by its label');
      await shot(page, 'sd-new-request-errors');
      await accessible(page, 'new service request with errors');
      // Corrected and sent.
      await page.selectOption('#f-form-system', 'edi_messages');
      await page.fill('#f-form-occurred_on', '2026-11-20');
      await page.fill('#f-form-message_reference', '26FI000000000123A1');
      await page.check('#f-form-affects_clearance');
      await page.click('form.sd-new-form button[type=submit]');
      await page.waitForURL(/\/servicedesk\/\d+$/);
      await page.waitForSelector('#sd-details');
      number = (await page.textContent('.eyebrow')).split(' ')[0];
      assert(/^SR-\d{4}-\d{6,}$/.test(number), `the request number is shown: ${number}`);
      requestId = Number(page.url().split('/').pop());
      assert((await page.textContent('.banner-info')).includes(number), 'the banner names the number');
      assert(await page.isVisible('#sd-sla .sla'), 'the SLA timer is shown');
      if (await page.isVisible('#sd-sla-policy')) {
        // The server applies an SLA policy: the state is named and the time left is counted.
        assertEqual(await page.getAttribute('#sd-sla .sla', 'data-sla-state'), 'on_track', 'a new request is on track');
        assert((await page.textContent('#sd-sla .sla-left')).includes('jäljellä'), 'the time left is shown');
      }
      const answers = await page.textContent('#form-answers');
      assert(answers.includes('EDI-sanomat') && answers.includes('Estää tulliselvityksen'), `form answers with labels: ${answers}`);
      assert(!(await page.isVisible('#sd-routing')), 'a trader does not see the routing decision');
      await shot(page, 'sd-trader-request-created');
      await accessible(page, 'trader: request page');
    });
    // Routed by the servicedesk-routing rule set to EDI support (tier 2).
    const routed = await staff.get(`/servicedesk/requests/${requestId}`);
    assertEqual(routed.body.group, 'edi_support', 'routed to EDI support');
    assertEqual(routed.body.tier, 'support', 'EDI support is tier 2');

    const noteText = 'Sisäinen: tarkistettu EDI-yhdyskäytävän loki.';
    await withBrowser('sd-specialist', async (page) => {
      await login(page, 'specialist', 'demo-specialist-pass');
      await page.click('nav a[href="/servicedesk"]');
      await page.waitForSelector('#f-filter-group option[value="edi_support"]', { state: 'attached' });
      await page.selectOption('#f-filter-group', 'edi_support');
      await page.waitForURL(/group=edi_support/);
      const row = page.locator(`#sd-queue tbody tr[data-number="${number}"]`);
      await row.waitFor();
      const rowText = await row.textContent();
      assert(rowText.includes('EDI-tuki') && rowText.includes('Uusi'), `the queue row shows group and status: ${rowText}`);
      assert(await row.locator('.sla').isVisible(), 'the queue row shows the SLA state');
      await shot(page, 'sd-queue-edi-support');
      await accessible(page, 'service desk queue');
      await row.locator('a.result-link').click();
      await page.waitForSelector('#sd-details');
      assert((await page.textContent('#sd-group')).includes('EDI-tuki'), 'group on the request page');
      assert(await page.isVisible('#sd-routing'), 'staff see the routing decision');
      // An internal note, then a public reply from the canned response.
      await page.check('input[name=kind][value=note]');
      await page.fill('#f-message', noteText);
      await page.click('#sd-composer button[type=submit]');
      await page.locator('#sd-thread li.msg-note', { hasText: noteText }).waitFor();
      await page.check('input[name=kind][value=reply]');
      await page.selectOption('#f-canned_response_id', String(canned.body.id));
      await page.waitForFunction(() => document.querySelector('#f-message').value.includes('EDI-tuki tutkii'));
      const text = await page.inputValue('#f-message');
      assert(text.includes(number), `placeholders filled in: ${text}`);
      await page.click('#sd-composer button[type=submit]');
      await page.locator('#sd-thread li.msg-reply.msg-agent', { hasText: 'EDI-tuki tutkii' }).waitFor();
      // The first agent reply opens the request.
      await page.waitForFunction(() => document.querySelector('.page-head .tag')?.textContent === 'Käsittelyssä');
      // Notes and replies look different: a note is dashed and says it is internal.
      const noteStyle = await page.evaluate(() => getComputedStyle(document.querySelector('#sd-thread li.msg-note article')).borderStyle);
      assert(noteStyle.includes('dashed'), `notes are visually distinct: ${noteStyle}`);
      // Assign to me.
      await page.selectOption('#f-assign-assignee', 'me');
      await page.click('#sd-actions form:has(#f-assign-assignee) button[type=submit]');
      await page.waitForFunction(() => document.querySelector('#sd-assignee')?.textContent.includes('Demo specialist'));
      await shot(page, 'sd-specialist-request');
      await accessible(page, 'staff: request page');
      await setLanguage(page, 'English');
      await page.waitForSelector('h2:has-text("Messages")');
      await assertNoUntranslated(page, 'en', 'staff request page');
      await shot(page, 'sd-specialist-request-en');
      await page.goto(`${base}/servicedesk`);
      await page.waitForSelector('#sd-queue');
      await assertNoUntranslated(page, 'en', 'queue');
      await shot(page, 'sd-queue-en');
      await setLanguage(page, 'Svenska');
      await assertNoUntranslated(page, 'sv', 'queue');
      await accessible(page, 'queue (sv)');
    });

    await withBrowser('sd-trader-reply', async (page) => {
      await login(page, 'trader', 'demo-trader-pass');
      await page.click('nav a[href="/servicedesk"]');
      const row = page.locator(`#sd-queue tbody tr[data-number="${number}"]`);
      await row.waitFor();
      assert((await row.textContent()).includes('Käsittelyssä'), 'my requests show the status');
      assert(await row.locator('.sla').isVisible(), 'my requests show the SLA timer');
      await shot(page, 'sd-my-requests');
      await accessible(page, 'trader: my requests');
      await row.locator('a.result-link').click();
      await page.locator('#sd-thread li.msg-reply', { hasText: 'EDI-tuki tutkii' }).waitFor();
      const thread = await page.textContent('#sd-thread');
      assert(!thread.includes(noteText), 'a trader never sees the internal note');
      assertEqual(await page.locator('#sd-thread li.msg-note').count(), 0, 'no note in the trader thread');
      assert(await page.isVisible('#sd-sla .sla'), 'the SLA timer on the trader page');
      assert(!(await page.isVisible('input[name=kind]')), 'no note option for a trader');
      await page.fill('#f-message', 'Kiitos, odotamme tietoa.');
      await page.click('#sd-composer button[type=submit]');
      await page.locator('#sd-thread li.msg-customer', { hasText: 'Kiitos, odotamme' }).waitFor();
      await shot(page, 'sd-trader-thread');
      await accessible(page, 'trader: thread');
      await setLanguage(page, 'English');
      await page.waitForSelector('h2:has-text("Messages")');
      await assertNoUntranslated(page, 'en', 'trader request page');
      await shot(page, 'sd-trader-thread-en');
    });
  });

  runner.test('service desk: staff pages and trader pages are kept apart; another organisation\'s request is not found', async () => {
    if (!(await serverHas('PUT', '/api/v1/servicedesk/requests'))) throw new Skip('no /api/v1/servicedesk endpoints');
    const staff = await apiSession('agent', 'demo-agent-pass');
    const orgs = await staff.get('/organisations?q=Pohjolan');
    const other = orgs.body.items.find((o) => o.name === 'Pohjolan Kuljetus Oy');
    const created = await staff.send('POST', '/servicedesk/requests', { type: 'question', subject: 'Toisen yrityksen kysymys',
      body: 'Tariffikysymys', organisation_id: other.id, channel: 'phone', form: { topic: 'origin' } });
    if (created.status === 422) {
      // Phone requests need a requester contact: create one.
      const c = await staff.send('POST', `/organisations/${other.id}/contacts`, { first_name: 'Olli', last_name: 'Ostaja', email: 'olli@pohjola.example' });
      const again = await staff.send('POST', '/servicedesk/requests', { type: 'question', subject: 'Toisen yrityksen kysymys',
        body: 'Tariffikysymys', requester_contact_id: c.body.id, channel: 'phone', form: { topic: 'origin' } });
      assertEqual(again.status, 201, `a request of another organisation: ${JSON.stringify(again.body)}`);
      created.body = again.body;
    } else {
      assertEqual(created.status, 201, `a request of another organisation: ${JSON.stringify(created.body)}`);
    }
    await withBrowser('sd-scope', async (page) => {
      await login(page, 'trader', 'demo-trader-pass');
      await page.goto(`${base}/servicedesk/${created.body.id}`);
      await page.waitForSelector('.notice');
      const body = await page.textContent('main');
      assert(!body.includes('Toisen yrityksen'), 'nothing of the other organisation\'s request');
      assert(body.includes('Ei löytynyt'), '"not found" is shown');
    });
    await withBrowser('sd-staff-new', async (page) => {
      await login(page, 'agent', 'demo-agent-pass');
      await page.goto(`${base}/servicedesk/new`);
      await page.waitForURL(`${base}/servicedesk`);
      await page.waitForSelector('#sd-queue');
    });
  });
}
