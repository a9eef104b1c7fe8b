// CSV import (filled in when the API's import endpoints exist).
import { html } from '../lib.js';
import { t } from '../i18n.js';
import { PageTitle } from '../ui.js';

export function ImportPage() {
  return html`<section><${PageTitle} text=${t('import.title')} /><p>${t('import.unavailable')}</p></section>`;
}
