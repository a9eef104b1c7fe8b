// Contacts and establishments of an organisation: shown when the API serves them.
import { html } from '../lib.js';

export function RelatedSections() {
  return null;
}
