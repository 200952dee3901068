// 系统管理 — administration (permission "admin").
const meta = (title) => ({ title, section: 'admin', perm: 'admin' })

export default [
  { path: 'admin', redirect: '/admin/users' },
  {
    path: 'admin/users',
    name: 'admin-users',
    component: () => import('./UsersView.vue'),
    meta: meta('nav.adminUsers'),
  },
  {
    path: 'admin/sla',
    name: 'admin-sla',
    component: () => import('./SlaPoliciesView.vue'),
    meta: meta('nav.adminSla'),
  },
  {
    path: 'admin/branches',
    name: 'admin-branches',
    component: () => import('./BranchesView.vue'),
    meta: meta('nav.adminBranches'),
  },
  {
    path: 'admin/dictionaries',
    name: 'admin-dictionaries',
    component: () => import('./DictionariesView.vue'),
    meta: meta('nav.adminDictionaries'),
  },
  {
    path: 'admin/fields',
    name: 'admin-fields',
    component: () => import('./FieldsView.vue'),
    meta: meta('nav.adminFields'),
  },
  { path: 'admin/forms', redirect: '/admin/forms/customer' },
  {
    path: 'admin/forms/:entity',
    name: 'admin-forms',
    component: () => import('./forms/FormDesignerView.vue'),
    meta: meta('nav.adminForms'),
  },
  {
    path: 'admin/tags',
    name: 'admin-tags',
    component: () => import('./TagsView.vue'),
    meta: meta('nav.adminTags'),
  },
  {
    path: 'admin/reminder-rules',
    name: 'admin-reminder-rules',
    component: () => import('./ReminderRulesView.vue'),
    meta: meta('nav.adminReminderRules'),
  },
  // 规则 and 消息模板: the rule engine (issue 20)
  {
    path: 'admin/rules',
    name: 'admin-rules',
    component: () => import('@/views/rules/RulesView.vue'),
    meta: meta('nav.adminRules'),
  },
  {
    path: 'admin/message-templates',
    name: 'admin-message-templates',
    component: () => import('@/views/rules/MessageTemplatesView.vue'),
    meta: meta('nav.adminTemplates'),
  },
  {
    path: 'admin/waybill-thresholds',
    name: 'admin-waybill-thresholds',
    component: () => import('./WaybillThresholdsView.vue'),
    meta: meta('nav.adminWaybillThresholds'),
  },
  // 价目表: the price list versions (billing.write: supervisors and admins)
  {
    path: 'admin/price-lists',
    name: 'admin-price-lists',
    component: () => import('@/views/billing/PriceListsView.vue'),
    meta: { ...meta('nav.adminPriceLists'), perm: 'billing.write' },
  },
  {
    path: 'admin/price-lists/:id',
    name: 'admin-price-list',
    component: () => import('@/views/billing/PriceListEditView.vue'),
    meta: { ...meta('nav.adminPriceLists'), perm: 'billing.write' },
  },
  // 打印模板: the statement print templates (admin)
  {
    path: 'admin/print-templates',
    name: 'admin-print-templates',
    component: () => import('@/views/printTemplates/PrintTemplatesView.vue'),
    meta: meta('nav.adminPrintTemplates'),
  },
  {
    path: 'admin/print-templates/:id',
    name: 'admin-print-template',
    component: () => import('@/views/printTemplates/PrintTemplateEditView.vue'),
    meta: meta('nav.adminPrintTemplates'),
  },
  {
    path: 'admin/work-calendar',
    name: 'admin-work-calendar',
    component: () => import('./WorkCalendarView.vue'),
    meta: meta('nav.adminWorkCalendar'),
  },
  {
    path: 'admin/api-keys',
    name: 'admin-api-keys',
    component: () => import('./ApiKeysView.vue'),
    meta: meta('nav.adminApiKeys'),
  },
  { path: 'admin/webhooks', name: 'admin-webhooks', component: () => import('./WebhooksView.vue'), meta: meta('nav.adminWebhooks') },
  { path: 'admin/api-docs', name: 'admin-api-docs', component: () => import('./ApiDocsView.vue'), meta: meta('nav.adminApiDocs') },
  {
    path: 'admin/audit-log',
    name: 'admin-audit-log',
    component: () => import('./AuditLogView.vue'),
    meta: meta('nav.adminAuditLog'),
  },
  {
    path: 'admin/retention',
    name: 'admin-retention',
    component: () => import('./RetentionView.vue'),
    meta: meta('nav.adminRetention'),
  },
  {
    path: 'admin/notify',
    name: 'admin-notify',
    component: () => import('./NotifyChannelsView.vue'),
    meta: meta('nav.adminNotify'),
  },
  {
    path: 'admin/mailbox',
    name: 'admin-mailbox',
    component: () => import('./MailboxView.vue'),
    meta: meta('nav.adminMailbox'),
  },
  {
    path: 'admin/dev-mailbox',
    name: 'admin-dev-mailbox',
    component: () => import('./DevMailboxView.vue'),
    meta: meta('nav.adminDevMailbox'),
  },
]
