// Web UI figures for docs/benchmarks.md (measured, not asserted):
//   node tests/e2e/figures.mjs BINARY [ORGANISATIONS]
// Starts the server with demo data, imports ORGANISATIONS generated organisations (default
// 200000) through the CSV import API, then loads the organisation list in a cold Chromium
// profile and reads the browser's Performance API: first contentful paint, the time until the
// first page of results is rendered as links (interactive list), and the bytes transferred for
// the UI's own assets (compressed, as sent) versus the API's responses.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, newBrowser } from './harness.mjs';

const [binary, countArg] = process.argv.slice(2);
const count = Number(countArg || 200000);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'customsdesk-figures-'));
const server = await startServer(binary, workDir, ['--body-limit', String(64 * 1024 * 1024)]);
const base = server.url;

function businessId(n) {
  const w = [7, 9, 10, 5, 8, 4, 2];
  for (;; n++) {
    const d = String(n).padStart(7, '0');
    const r = [...d].reduce((s, c, i) => s + Number(c) * w[i], 0) % 11;
    if (r !== 1) return `${d}-${r === 0 ? 0 : 11 - r}`;
  }
}

const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username: 'admin', password: 'demo-admin-pass' }) });
const cookie = login.headers.get('set-cookie').split(';')[0];
const { csrf_token: csrf } = await login.json();
const cities = ['Helsinki', 'Espoo', 'Tampere', 'Vantaa', 'Oulu', 'Turku', 'Jyväskylä', 'Kuopio', 'Lahti', 'Pori'];
const words = ['Kuljetus', 'Huolinta', 'Tuonti', 'Vienti', 'Logistiikka', 'Kauppa', 'Teollisuus', 'Satama', 'Varasto'];
const batch = 50000;
let seed = 2000000;
const t0 = Date.now();
for (let done = 0; done < count; done += batch) {
  const n = Math.min(batch, count - done);
  let csv = 'name,business_id,postal_city,postal_street,postal_country\r\n';
  const lines = [];
  for (let i = 0; i < n; i++) {
    const id = businessId(seed);
    seed = Number(id.slice(0, 7)) + 1;
    lines.push(`${words[(done + i) % words.length]} ${done + i} Oy,${id},${cities[(done + i) % cities.length]},Katu ${i % 200},FI`);
  }
  csv += lines.join('\r\n') + '\r\n';
  const res = await fetch(`${base}/api/v1/imports?kind=organisations&mode=skip_bad_rows`, { method: 'POST',
    headers: { Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'text/csv' }, body: csv });
  if (res.status !== 202) throw new Error(`import: HTTP ${res.status} ${await res.text()}`);
  const job = await res.json();
  for (;;) {
    const j = await (await fetch(`${base}/api/v1/imports/${job.id}`, { headers: { Cookie: cookie } })).json();
    if (j.status === 'succeeded' || j.status === 'failed') {
      if (j.status === 'failed' || !j.result?.written) throw new Error(`import failed: ${j.message}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
console.log(`imported ${count} organisations in ${((Date.now() - t0) / 1000).toFixed(1)} s (setup, not a UI figure)`);

const runs = [];
for (let run = 0; run < 5; run++) {
  const b = await newBrowser(workDir, `fig${run}`);
  await b.page.request.post(`${base}/api/v1/auth/login`, { data: { username: 'agent', password: 'demo-agent-pass' } });
  await b.page.goto(`${base}/organisations`);
  await b.page.waitForSelector('a.result-link');
  const m = await b.page.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
    const interactive = performance.now();
    const nav = performance.getEntriesByType('navigation')[0];
    let ui = nav.transferSize;
    let uiDecoded = nav.decodedBodySize;
    let api = 0;
    let files = 1;
    for (const r of performance.getEntriesByType('resource')) {
      if (new URL(r.name).pathname.startsWith('/api/')) api += r.transferSize;
      else { ui += r.transferSize; uiDecoded += r.decodedBodySize; files++; }
    }
    return { fcp, interactive, ui, uiDecoded, api, files };
  });
  runs.push(m);
  await b.context.close();
}
const median = (k) => runs.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
console.log(`organisations in the database: ${count + 6}`);
console.log(`first contentful paint (median of ${runs.length} cold loads): ${median('fcp').toFixed(0)} ms`);
console.log(`interactive list (first page rendered as links, median): ${median('interactive').toFixed(0)} ms`);
console.log(`UI assets: ${runs[0].files} files, ${(median('ui') / 1024).toFixed(1)} KiB transferred (with headers), `
  + `${(median('uiDecoded') / 1024).toFixed(1)} KiB uncompressed; API responses ${(median('api') / 1024).toFixed(1)} KiB`);
await server.stop();
fs.rmSync(workDir, { recursive: true, force: true });
