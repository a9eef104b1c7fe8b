// Contact person page (filled in when the API's contact endpoints exist).
import { html } from '../lib.js';
import { t } from '../i18n.js';
import { PageTitle } from '../ui.js';

export function ContactPage() {
  return html`<section><${PageTitle} text=${t('contact.title')} /><p>${t('contact.unavailable')}</p></section>`;
}
