// Browser-test harness: starts the real customsdesk binary on a free loopback port with a fresh
// SQLite database and demo data, launches Debian's Chromium through playwright-core (a fresh
// user-data-dir per test), and runs named tests one after another. Prints "ok"/"not ok" per test
// and a closing line "N passed, N failed"; the exit status is 1 when any test failed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const { chromium } = require(path.join(repo, 'node_modules/playwright-core'));
export const axeSource = fs.readFileSync(path.join(repo, 'node_modules/axe-core/axe.min.js'), 'utf8');
export const repoRoot = repo;

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
// Generous waits: the tests wait for elements, they never assert a duration.
export const WAIT_MS = 20000;

export function findChromium() {
  for (const p of [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && fs.existsSync(p)) return p;
  }
  throw new Error('Chromium is missing: apt-get install chromium (make test installs it), or set CHROMIUM=/path');
}

// Starts `customsdesk serve --demo` and resolves to {url, stop(), logs()} once it prints its URL.
export async function startServer(binary, workDir, extraArgs = []) {
  const db = path.join(workDir, 'e2e.db');
  const child = spawn(binary, ['serve', '--db', `sqlite:${db}`, '--listen', '127.0.0.1:0', '--demo',
    '--log-level', 'warn', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${out}\n${err}`)), 120000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/[^\s]+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}):\n${out}\n${err}`)); });
  });
  return {
    url,
    logs: () => err,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.on('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

export async function newBrowser(workDir, name) {
  const profile = fs.mkdtempSync(path.join(workDir, `profile-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 900 },
    locale: 'fi-FI', timezoneId: 'Europe/Helsinki',
  });
  context.setDefaultTimeout(WAIT_MS);
  const page = context.pages()[0] || await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'warning' && m.text().startsWith('missing translation')) problems.push(m.text());
  });
  return { context, page, problems };
}

// Thrown by a test whose server feature is missing: reported as "skip", counted apart.
export class Skip extends Error {}

export class Runner {
  constructor() { this.tests = []; }
  test(name, fn) { this.tests.push({ name, fn }); }
  async run(filter) {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const { name, fn } of this.tests) {
      if (filter && !name.includes(filter)) continue;
      try {
        await fn();
        passed++;
        console.log(`ok - ${name}`);
      } catch (e) {
        if (e instanceof Skip) {
          skipped++;
          console.log(`skip - ${name}: ${e.message}`);
          continue;
        }
        failed++;
        console.log(`not ok - ${name}\n  ${String(e && e.stack || e).split('\n').join('\n  ')}`);
      }
    }
    if (skipped) console.log(`${skipped} skipped (the server lacks the endpoints they need)`);
    console.log(`${passed} passed, ${failed} failed`);
    return failed;
  }
}

export function assert(cond, message) {
  if (!cond) throw new Error(`assertion failed: ${message}`);
}

export function assertEqual(actual, expected, message) {
  if (actual !== expected) {
    throw new Error(`assertion failed: ${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

// Runs axe-core in the page (through the DevTools protocol, so the page's CSP stays in force)
// and returns the violations of impact serious or critical.
export async function seriousViolations(page) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

// Every visible text node and every accessible-name attribute of the page.
export async function visibleTexts(page) {
  return page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.nodeValue.trim();
      if (text && n.parentElement && n.parentElement.closest('script,style,noscript') === null) out.push(text);
    }
    for (const el of document.querySelectorAll('[aria-label],[placeholder],[title],[alt]')) {
      for (const a of ['aria-label', 'placeholder', 'title', 'alt']) {
        const v = el.getAttribute(a);
        if (v) out.push(v.trim());
      }
    }
    for (const el of document.querySelectorAll('option')) out.push(el.textContent.trim());
    out.push(document.title);
    return out;
  });
}
