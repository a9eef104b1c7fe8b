// What a user's roles may use in the UI. The server decides for real (every API call is
// authorised and data-scoped); this only hides what would be refused.
const MAINTAINERS = ['admin', 'agent', 'kam', 'segment_manager'];
// Service desk (docs/servicedesk.md): staff read every request; these roles also work on them.
const SD_READERS = ['admin', 'agent', 'specialist', 'kam', 'segment_manager', 'auditor'];
const SD_WORKERS = ['admin', 'agent', 'specialist', 'kam'];
// Declarations: officers decide on control; risk analysts read the queue and the risk profiles.
const DECL_STAFF = ['admin', 'officer', 'risk_analyst', 'auditor'];

export function can(me, what) {
  if (!me) return false;
  const roles = me.roles || [];
  const staff = roles.some((r) => r !== 'trader') && !me.organisation_id;
  switch (what) {
    case 'staff': return staff;
    case 'maintain': return staff && roles.some((r) => MAINTAINERS.includes(r));
    case 'import': return staff && roles.some((r) => MAINTAINERS.includes(r));
    case 'privacy': return staff && roles.some((r) => ['admin', 'agent'].includes(r));
    case 'servicedesk': return staff && roles.some((r) => SD_READERS.includes(r));
    case 'servicedesk_work': return staff && roles.some((r) => SD_WORKERS.includes(r));
    case 'declarations': return staff && roles.some((r) => DECL_STAFF.includes(r));
    case 'officer': return staff && roles.some((r) => ['officer', 'admin'].includes(r));
    case 'risk': return staff && roles.some((r) => ['risk_analyst', 'admin'].includes(r));
    case 'trader': return Boolean(me.organisation_id) && !staff;
    default: return false;
  }
}

// True when `me` may edit organisation `org` at all, and which members.
export function editableMembers(me, org) {
  if (can(me, 'maintain')) return 'all';
  if (me && me.organisation_id && org && Number(me.organisation_id) === Number(org.id)) return ['addresses', 'languages'];
  return null;
}

// True when `me` may add, change and delete the contact persons of organisation `orgId`:
// maintainers for any organisation, a trader user for their own.
export function canEditContacts(me, orgId) {
  if (can(me, 'maintain')) return true;
  return Boolean(me && me.organisation_id && orgId !== undefined && Number(me.organisation_id) === Number(orgId));
}
