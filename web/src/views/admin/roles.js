// Staff roles, in the order the admin pages list them.
export const ROLES = ['admin', 'supervisor', 'manager', 'clerk']

/** el-tag type per role. */
export const ROLE_TAG = { admin: 'danger', supervisor: 'warning', manager: 'success', clerk: 'info' }
