// Names of the registry's enumerations in the current language, and value formatting shared by
// the organisation screens. Values the UI does not know yet are shown as they come from the API.
import { t, tOr } from './i18n.js';

export const ORG_STATUSES = ['prospect', 'active', 'non_active'];
export const ORG_ROLES = ['importer', 'exporter', 'declarant', 'customs_representative', 'carrier',
  'warehouse_keeper', 'software_provider'];
export const CUSTOMER_GROUPS = ['partnership', 'key', 'small'];
export const VALUE_CLASSES = ['strategic', 'key', 'big', 'middle', 'small_a', 'small', 'non_active', 'other', 'prospective'];
export const ADDRESS_TYPES = ['postal', 'visiting', 'billing', 'delivery'];
export const ORG_LANGUAGES = ['fi', 'sv', 'en'];

export const statusLabel = (v) => tOr(`org.status.${v}`, v);
export const orgRoleLabel = (v) => tOr(`org.role.${v}`, v);
export const groupLabel = (v) => tOr(`org.group.${v}`, v);
export const valueClassLabel = (v) => tOr(`org.value_class.${v}`, v);
export const addressTypeLabel = (v) => tOr(`address.type.${v}`, v);
export const languageLabel = (v) => tOr(`language.${v}`, v);
export const fieldLabel = (name) => tOr(`field.${name}`, name);

export function formatAddress(a) {
  if (!a || typeof a !== 'object') return '';
  const place = [a.postal_code, a.city].filter(Boolean).join(' ');
  return [a.street, place, a.country].filter(Boolean).join(', ');
}

// A history value (any JSON) as short text: null -> "—", arrays joined, addresses summarised.
export function formatValue(field, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (Array.isArray(v)) {
    if (!v.length) return '—';
    return v.map((x) => {
      if (x && typeof x === 'object') return `${addressTypeLabel(x.type)}: ${formatAddress(x)}`;
      if (field === 'roles') return orgRoleLabel(x);
      if (field === 'contact_roles') return tOr(`contact.role.${x}`, x);
      if (field === 'languages') return languageLabel(x);
      return String(x);
    }).join('; ');
  }
  if (typeof v === 'object') return JSON.stringify(v);
  if (field === 'status') return statusLabel(v);
  if (field === 'language') return languageLabel(v);
  if (field === 'customer_group') return groupLabel(v);
  if (field === 'value_class') return valueClassLabel(v);
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  return String(v);
}
