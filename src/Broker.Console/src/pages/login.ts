import { api, ApiError } from '../api';
import { h } from '../dom';
import { session, type Me } from '../session';

export function renderLogin(main: HTMLElement, signedIn: () => void): void {
  const input = h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false',
    'aria-describedby': 'api-key-hint api-key-error' });
  const error = h('p', { id: 'api-key-error', class: 'field-error', 'aria-live': 'assertive' });
  const form = h('form', { class: 'login', 'aria-labelledby': 'login-title', novalidate: true },
    h('h1', { id: 'login-title', tabindex: '-1' }, 'Sign in to Broker'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('p', { id: 'api-key-hint', class: 'hint' }, 'A Broker API key (brk_…). It stays in this tab only (session storage) and is sent as a Bearer token.'),
    error,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.textContent = '';
    const key = input.value.trim();
    if (!key) {
      error.textContent = 'Enter an API key.';
      input.focus();
      return;
    }
    session.setKey(key);
    try {
      session.setMe((await api<Me>('/v1/me', { quiet401: true })).data);
      if (!location.hash || location.hash === '#') location.hash = '#/overview';
      signedIn();
    } catch (e) {
      session.clear();
      error.textContent = e instanceof ApiError && e.status === 401 ? 'This key is unknown or revoked.' : `Could not sign in: ${String(e)}`;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  });
  main.append(form);
  input.focus();
}
