import { html } from '../lib.js';
import { t } from '../i18n.js';
import { PageTitle } from '../ui.js';

export function NotFoundPage() {
  return html`<section><${PageTitle} text=${t('error.not_found.title')} />
    <p>${t('error.page_not_found')}</p><p><a href="/">${t('common.back_home')}</a></p></section>`;
}
