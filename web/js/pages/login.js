// Login: username and password against POST /api/v1/auth/login (session cookie + CSRF token).
import { html, useState } from '../lib.js';
import { api, setCsrfToken } from '../api.js';
import { t } from '../i18n.js';
import { TextField, PageTitle } from '../ui.js';

export function LoginPage({ onLogin }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api('POST', '/auth/login', { body: { username, password }, quiet401: true, withResponse: true });
      setCsrfToken(res.data.csrf_token);
      await onLogin({ ...res.data.user, csrf_token: res.data.csrf_token });
    } catch (err) {
      setBusy(false);
      if (err.status === 401) setError(t('login.failed'));
      else if (err.status === 429) setError(t('login.throttled'));
      else if (err.status === 422) setError(t('login.missing'));
      else setError(t('error.failed.text'));
    }
  };

  return html`<section class="login card" aria-labelledby="page-title">
    <${PageTitle} text=${t('login.title')} />
    <p>${t('login.intro')}</p>
    ${error && html`<div class="form-error" role="alert" id="login-error">${error}</div>`}
    <form onSubmit=${submit} novalidate>
      <${TextField} pointer="/username" label=${t('login.username')} value=${username} onInput=${setUsername}
        autocomplete="username" required />
      <${TextField} pointer="/password" label=${t('login.password')} value=${password} onInput=${setPassword}
        type="password" autocomplete="current-password" required />
      <button type="submit" disabled=${busy}>${busy ? t('login.signing_in') : t('login.submit')}</button>
    </form>
  </section>`;
}
