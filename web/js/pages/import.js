// CSV import: choose what the file holds and the mode (all-or-nothing or skip bad rows), upload;
// the server runs it as a background job whose progress is polled and shown as a progress bar;
// then the result and the row-level error report (line, column, message) are shown.
import { html, useState, useEffect, useRef } from '../lib.js';
import { api } from '../api.js';
import { t, formatNumber, formatDateTime } from '../i18n.js';
import { useApp, PageTitle, SelectField, errorText } from '../ui.js';
import { FEATURES } from '../features.js';
import { fieldLabel } from '../labels.js';

const POLL_MS = 500;
const KINDS = ['organisations', 'establishments', 'contacts'];
const MAX_REPORT_ROWS = 500;

// RFC 4180 CSV -> rows of fields (the error report is small; quoted fields may hold commas/newlines).
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function Report({ job }) {
  const [rows, setRows] = useState(null);
  const [url, setUrl] = useState(null);
  useEffect(() => {
    if (!job.has_report) return;
    api('GET', `/imports/${job.id}/errors`).then((text) => {
      const parsed = parseCsv(String(text || ''));
      setRows(parsed.slice(1));
      setUrl(URL.createObjectURL(new Blob([text], { type: 'text/csv' })));
    }).catch(() => setRows([]));
  }, [job.id]);
  if (!job.has_report) return null;
  if (rows === null) return html`<p class="muted">${t('common.loading')}</p>`;
  return html`<section class="card" aria-labelledby="report-title">
    <h2 id="report-title">${t('import.report_title')}</h2>
    ${rows.length === 0 ? html`<p>${t('import.report_empty')}</p>` : html`<div class="table-wrap"><table id="import-report">
      <caption class="visually-hidden">${t('import.report_title')}</caption>
      <thead><tr><th scope="col">${t('import.line')}</th><th scope="col">${t('import.column')}</th>
        <th scope="col">${t('import.severity')}</th><th scope="col">${t('import.message')}</th></tr></thead>
      <tbody>${rows.slice(0, MAX_REPORT_ROWS).map((r, i) => html`<tr key=${i}><td>${r[0]}</td><td>${r[1] ? html`${fieldLabel(r[1])} <span class="muted">(${r[1]})</span>` : '—'}</td>
        <td>${t(`import.severity.${r[2] === 'warning' ? 'warning' : 'error'}`)}</td><td>${r[3]}</td></tr>`)}</tbody>
    </table></div>`}
    ${rows.length > MAX_REPORT_ROWS && html`<p class="muted">${t('import.report_truncated', { n: formatNumber(MAX_REPORT_ROWS) })}</p>`}
    ${url && html`<p><a href=${url} download=${`import-${job.id}-errors.csv`}>${t('import.report_download')}</a></p>`}
  </section>`;
}

export function ImportPage() {
  const app = useApp();
  const [kind, setKind] = useState('organisations');
  const [mode, setMode] = useState('all_or_nothing');
  const [file, setFile] = useState(null);
  const [fileError, setFileError] = useState(null);
  const [job, setJob] = useState(null);
  const [uploading, setUploading] = useState(false);
  const timer = useRef(null);

  useEffect(() => () => clearTimeout(timer.current), []);

  const poll = (id) => {
    api('GET', `/imports/${id}`).then((j) => {
      setJob(j);
      if (j.status === 'queued' || j.status === 'running') timer.current = setTimeout(() => poll(id), POLL_MS);
    }).catch((e) => app.reportError(e));
  };

  const submit = async (e) => {
    e.preventDefault();
    setFileError(null);
    if (!file) { setFileError(t('import.choose_file')); return; }
    setUploading(true);
    setJob(null);
    try {
      const text = await file.text();
      const j = await api('POST', '/imports', { query: { kind, mode }, raw: text, contentType: 'text/csv; charset=utf-8' });
      setJob(j);
      poll(j.id);
    } catch (err) {
      if (err.status === 413) setFileError(t('error.too_large'));
      else if (err.errors?.length) setFileError(err.errors.map(errorText).join(' '));
      else app.reportError(err);
    }
    setUploading(false);
  };

  if (!FEATURES.imports) {
    return html`<section><${PageTitle} text=${t('import.title')} /><p>${t('import.unavailable')}</p></section>`;
  }
  const done = job && (job.status === 'succeeded' || job.status === 'failed');
  const total = job?.progress?.total || 0;
  const progressDone = job?.progress?.done || 0;
  const result = job?.result || null;
  return html`<section aria-labelledby="page-title">
    <${PageTitle} text=${t('import.title')} />
    <p>${t('import.intro')}</p>
    <form class="card" onSubmit=${submit} novalidate>
      <${SelectField} pointer="/kind" label=${t('import.kind')} value=${kind} onChange=${setKind}
        options=${KINDS.map((k) => [k, t(`import.kind.${k}`)])} />
      <fieldset class="field checkboxes"><legend>${t('import.mode')}</legend>
        ${['all_or_nothing', 'skip_bad_rows'].map((m) => html`<label class="check">
          <input type="radio" name="mode" value=${m} checked=${mode === m} onChange=${() => setMode(m)} />
          ${t(`import.mode.${m}`)}</label>`)}
      </fieldset>
      <div class=${`field${fileError ? ' has-error' : ''}`}>
        <label for="f-file">${t('import.file')}</label>
        <input id="f-file" type="file" accept=".csv,text/csv" aria-describedby=${fileError ? 'f-file-error' : 'f-file-hint'}
          aria-invalid=${fileError ? 'true' : undefined} onChange=${(e) => setFile(e.currentTarget.files[0] || null)} />
        <p class="hint" id="f-file-hint">${t('import.file_hint')}</p>
        ${fileError && html`<p class="field-error" id="f-file-error">${fileError}</p>`}
      </div>
      <button type="submit" disabled=${uploading || (job && !done)}>${uploading ? t('import.uploading') : t('import.start')}</button>
    </form>
    ${job && html`<section class="card" aria-labelledby="job-title" id="import-job">
      <h2 id="job-title">${t('import.job_title', { id: job.id })}</h2>
      <label for="import-progress">${t(`import.status.${job.status}`)}</label>
      <progress id="import-progress" max=${total || 1} value=${done ? (total || 1) : progressDone}
        aria-valuetext=${t('import.progress', { done: formatNumber(progressDone), total: formatNumber(total) })}></progress>
      <p class="muted" role="status">${t('import.progress', { done: formatNumber(progressDone), total: formatNumber(total) })}</p>
      ${done && html`<div id="import-result" class=${job.status === 'succeeded' && result && result.written ? 'notice' : 'form-error'}>
        <p>${result ? (result.written ? t('import.result_written', { imported: formatNumber(result.imported), rows: formatNumber(result.rows), rejected: formatNumber(result.rejected) })
          : t('import.result_nothing', { rejected: formatNumber(result.rejected), rows: formatNumber(result.rows) })) : job.message}</p>
        ${job.finished_at && html`<p class="muted">${t('import.finished', { when: formatDateTime(job.finished_at) })}</p>`}
      </div>`}
    </section>`}
    ${done && html`<${Report} job=${job} />`}
  </section>`;
}
