// Risk analyst: the active risk profiles (rule sets risk-profile-*) with their hits, controls,
// findings and hit rate (findings / controls) per version, from GET /selectivity/profiles; and the
// profile versions the selectivity engine refused to load, with the reason.
import { html, useState, useEffect } from '../lib.js';
import { api } from '../api.js';
import { t, locale, formatNumber } from '../i18n.js';
import { Loading, LoadError, PageTitle } from '../ui.js';
import { FEATURES } from '../features.js';

// "0.2500" -> "25,0 %" (exact decimal string from the API).
function percent(rate) {
  if (rate === null || rate === undefined) return null;
  return new Intl.NumberFormat(locale(), { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Number(rate));
}

export function RiskProfilesPage() {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!FEATURES.selectivity) return;
    api('GET', '/selectivity/profiles').then(setData).catch(setError);
  }, []);
  const title = t('risk.title');
  if (!FEATURES.selectivity) return html`<section><${PageTitle} text=${title} /><p>${t('risk.unavailable')}</p></section>`;
  if (error) return html`<section><${PageTitle} text=${title} /><${LoadError} error=${error} /></section>`;
  if (!data) return html`<section><${PageTitle} text=${title} /><${Loading} /></section>`;
  const items = data.items || [];
  return html`<section aria-labelledby="page-title">
    <${PageTitle} text=${title} />
    <p class="muted">${t('risk.intro')}</p>
    ${items.length === 0 ? html`<p>${t('risk.none')}</p>` : html`<div class="table-wrap"><table class="results" id="risk-profiles">
      <caption class="visually-hidden">${title}</caption>
      <thead><tr><th scope="col">${t('risk.profile')}</th><th scope="col">${t('risk.version')}</th>
        <th scope="col">${t('risk.level')}</th><th scope="col">${t('risk.rules')}</th><th scope="col">${t('risk.hits')}</th>
        <th scope="col">${t('risk.decisive_hits')}</th><th scope="col">${t('risk.controls')}</th>
        <th scope="col">${t('risk.findings')}</th><th scope="col">${t('risk.hit_rate')}</th></tr></thead>
      <tbody>${items.map((p) => html`<tr key=${`${p.key}-${p.version}`} data-profile=${p.key}>
        <td><strong>${p.name || p.key}</strong><div class="muted"><code>${p.key}</code></div></td>
        <td>${p.version}</td><td>${p.item_level ? t('risk.level.item') : t('risk.level.declaration')}</td>
        <td>${formatNumber(p.rules)}</td><td>${formatNumber(p.hits)}</td><td>${formatNumber(p.decisive_hits)}</td>
        <td>${formatNumber(p.controls)}</td><td>${formatNumber(p.findings)}</td>
        <td>${percent(p.hit_rate) ?? html`<span class="muted">${t('risk.no_controls')}</span>`}</td>
      </tr>`)}</tbody>
    </table></div>`}
    ${(data.rejected || []).length > 0 && html`<section class="card" aria-labelledby="risk-rejected-title">
      <h2 id="risk-rejected-title">${t('risk.rejected')}</h2>
      <ul>${data.rejected.map((r) => html`<li><code>${r.key}</code> v${r.version}: ${r.reason}</li>`)}</ul>
    </section>`}
  </section>`;
}
