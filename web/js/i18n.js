// Translations and locale formatting. All UI text comes from ../i18n/{fi,sv,en}.json; the chosen
// language is remembered in localStorage and mirrored on <html lang>. Dates are shown in the
// Europe/Helsinki time zone (the API speaks UTC); numbers and money follow the language's locale.
export const LANGUAGES = ['fi', 'sv', 'en'];
export const TIME_ZONE = 'Europe/Helsinki';
const LOCALES = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };
const STORAGE_KEY = 'customsdesk.lang';

let current = 'fi';
let messages = {};
const listeners = new Set();

export function storedLanguage() {
  try {
    const l = localStorage.getItem(STORAGE_KEY);
    if (LANGUAGES.includes(l)) return l;
  } catch (_) { /* storage may be disabled */ }
  return null;
}

// The language to start with: the remembered choice, else the browser's, else Finnish.
export function initialLanguage() {
  const stored = storedLanguage();
  if (stored) return stored;
  for (const l of navigator.languages || []) {
    const base = l.slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(base)) return base;
  }
  return 'fi';
}

export async function setLanguage(lang, { remember = true } = {}) {
  if (!LANGUAGES.includes(lang)) lang = 'fi';
  const res = await fetch(new URL(`../i18n/${lang}.json`, import.meta.url));
  if (!res.ok) throw new Error(`translations for ${lang}: HTTP ${res.status}`);
  messages = await res.json();
  current = lang;
  document.documentElement.lang = lang;
  if (remember) {
    try { localStorage.setItem(STORAGE_KEY, lang); } catch (_) { /* ignore */ }
  }
  for (const fn of listeners) fn(lang);
}

export function language() { return current; }
export function locale() { return LOCALES[current]; }
export function onLanguageChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

// t('org.count', {n: 3}) -> the message with {n} replaced. A missing key shows the key itself
// (and warns), which the browser tests look for.
export function t(key, params) {
  let s = messages[key];
  if (s === undefined) {
    console.warn(`missing translation ${current}:${key}`);
    return key;
  }
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return s;
}

// Like t() but returns `fallback` (not the key) when the key is absent: for values from the API
// that may grow (an enum value the UI does not know yet is shown as it is).
export function tOr(key, fallback) {
  return key in messages ? messages[key] : fallback;
}

export function formatDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE }).format(d);
}

export function formatDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: TIME_ZONE }).format(d);
}

export function formatNumber(n) {
  return new Intl.NumberFormat(locale()).format(n);
}

// Money arrives as an exact decimal string ("1234.50"); Intl formats decimal strings exactly.
export function formatMoney(amount, currency = 'EUR') {
  return new Intl.NumberFormat(locale(), { style: 'currency', currency }).format(String(amount));
}
