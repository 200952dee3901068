// Menus as data: the top menu bar (main modules) and the left quick-
// navigation bar, which depends on the current section. Each entry names
// the permission it needs; MainLayout hides what the user lacks and the
// router guard refuses the routes (the server enforces again).
import {
  Wallet,
  User,
  Printer,
  Timer,
  Tickets,
  AlarmClock,
  OfficeBuilding,
  DataAnalysis,
  Setting,
  HomeFilled,
  CirclePlus,
  Search,
  EditPen,
  Clock,
  WarningFilled,
  List,
  UserFilled,
  Share,
  Collection,
  Document,
  Message,
  Aim,
  Sort,
  Grid,
  PriceTag,
  Bell,
  CircleCheck,
  Avatar,
  CopyDocument,
  Promotion,
  Files,
  Van,
  Odometer,
  Key,
  Calendar,
  Service,
  Headset,
  ChatDotRound,
  Postcard,
  Money,
  Stamp,
  Checked,
  Connection,
  Reading,
  Operation,
  ChatLineSquare,
} from '@element-plus/icons-vue'

export const topMenu = [
  { section: 'customers', path: '/customers', label: 'nav.customers', icon: User, perm: 'customers.read' },
  { section: 'interactions', path: '/interactions', label: 'nav.interactions', icon: Tickets, perm: 'customers.read' },
  { section: 'tasks', path: '/tasks', label: 'nav.tasks', icon: AlarmClock, perm: 'tasks.read' },
  { section: 'enterprises', path: '/enterprises', label: 'nav.enterprises', icon: OfficeBuilding, perm: 'enterprises.read' },
  { section: 'tickets', path: '/tickets', label: 'nav.ticketsTop', icon: Service, perm: 'tickets.work' },
  { section: 'reports', path: '/reports', label: 'nav.reports', icon: DataAnalysis, perm: 'reports.read' },
  { section: 'admin', path: '/admin/users', label: 'nav.admin', icon: Setting, perm: 'admin' },
]

// Every page the bars link to, once; badge: the key of GET /tasks/counts
// shown beside the entry.
const link = (path, label, icon, perm, badge) => ({ path, label, icon, perm, badge })
export const LINKS = {
  home: link('/', 'nav.home', HomeFilled),
  customerNew: link('/customers/new', 'nav.customerNew', CirclePlus, 'customers.write'),
  customerSearch: link('/customers', 'nav.customerSearch', Search, 'customers.read'),
  customerSegments: link('/customers/segments', 'nav.customerSegments', Aim, 'customers.read'),
  customerDuplicates: link('/customers/duplicates', 'nav.customerDuplicates', CopyDocument, 'customers.read'),
  customerIo: link('/customers/io', 'nav.customerIo', Sort, 'customers.write'),
  customerCampaigns: link('/customers/campaigns', 'nav.customerCampaigns', Promotion, 'customers.campaigns'),
  interactionSearch: link('/interactions', 'nav.interactionSearch', Search, 'customers.read'),
  interactionNew: link('/interactions/new', 'nav.interactionNew', EditPen, 'interactions.write'),
  tasksToday: link('/tasks?view=today', 'nav.tasksToday', Clock, 'tasks.read', 'today'),
  tasksOverdue: link('/tasks?view=overdue', 'nav.tasksOverdue', WarningFilled, 'tasks.read', 'overdue'),
  tasksUpcoming: link('/tasks?view=upcoming', 'nav.tasksUpcoming', List, 'tasks.read', 'upcoming'),
  tasksDone: link('/tasks?view=done', 'nav.tasksDone', CircleCheck, 'tasks.read'),
  approvals: link('/approvals', 'nav.approvals', Stamp, undefined, 'approvals'),
  tasksTeam: link('/tasks?view=team', 'nav.tasksTeam', Avatar, ['tasks.read', 'customers.merge']),
  enterpriseList: link('/enterprises', 'nav.enterpriseList', OfficeBuilding, 'enterprises.read'),
  waybillSearch: link('/waybills', 'nav.waybillSearch', Van, 'enterprises.read'),
  waybillAlerts: link('/waybill-alerts', 'nav.waybillAlerts', WarningFilled, 'enterprises.read'),
  statementList: link('/statements', 'nav.statementList', Wallet, 'enterprises.read'),
  ticketList: link('/tickets?view=all', 'nav.ticketList', Headset, 'tickets.work'),
  ticketMine: link('/tickets?view=mine', 'nav.ticketMine', User, 'tickets.work'),
  ticketQueue: link('/tickets?view=queue', 'nav.ticketQueue', List, 'tickets.work'),
  adminSla: link('/admin/sla', 'nav.adminSla', Timer, 'admin'),
  reportDashboard: link('/reports', 'nav.reportDashboard', DataAnalysis, 'reports.read'),
  adminUsers: link('/admin/users', 'nav.adminUsers', UserFilled, 'admin'),
  adminBranches: link('/admin/branches', 'nav.adminBranches', Share, 'admin'),
  adminDictionaries: link('/admin/dictionaries', 'nav.adminDictionaries', Collection, 'admin'),
  adminFields: link('/admin/fields', 'nav.adminFields', Grid, 'admin'),
  adminForms: link('/admin/forms/customer', 'nav.adminForms', Files, 'admin'),
  adminTags: link('/admin/tags', 'nav.adminTags', PriceTag, 'admin'),
  adminReminderRules: link('/admin/reminder-rules', 'nav.adminReminderRules', Bell, 'admin'),
  adminRules: link('/admin/rules', 'nav.adminRules', Operation, 'admin'),
  adminTemplates: link('/admin/message-templates', 'nav.adminTemplates', ChatLineSquare, 'admin'),
  adminWaybillThresholds: link('/admin/waybill-thresholds', 'nav.adminWaybillThresholds', Odometer, 'admin'),
  adminWorkCalendar: link('/admin/work-calendar', 'nav.adminWorkCalendar', Calendar, 'admin'),
  adminApiKeys: link('/admin/api-keys', 'nav.adminApiKeys', Key, 'admin'),
  adminWebhooks: link('/admin/webhooks', 'nav.adminWebhooks', Connection, 'admin'),
  adminApiDocs: link('/admin/api-docs', 'nav.adminApiDocs', Reading, 'admin'),
  adminPriceLists: link('/admin/price-lists', 'nav.adminPriceLists', Money, 'billing.write'),
  adminApprovalFlows: link('/admin/approval-flows', 'nav.adminApprovalFlows', Checked, 'admin'),
  adminPrintTemplates: link('/admin/print-templates', 'nav.adminPrintTemplates', Printer, 'admin'),
  adminAuditLog: link('/admin/audit-log', 'nav.adminAuditLog', Document, 'admin'),
  adminRetention: link('/admin/retention', 'nav.adminRetention', Timer, 'admin'),
  adminNotify: link('/admin/notify', 'nav.adminNotify', ChatDotRound, 'admin'),
  adminMailbox: link('/admin/mailbox', 'nav.adminMailbox', Postcard, 'admin'),
  adminDevMailbox: link('/admin/dev-mailbox', 'nav.adminDevMailbox', Message, 'admin'),
}

const bar = (title, keys) => ({ title, items: keys.map((k) => LINKS[k]) })

const quickNav = bar('nav.quick', [
  'home', 'customerNew', 'customerSearch', 'interactionNew', 'tasksToday', 'tasksOverdue', 'tasksUpcoming', 'approvals',
  'enterpriseList', 'reportDashboard',
])
const customersNav = bar('nav.customers', [
  'customerSearch', 'customerNew', 'customerSegments', 'customerDuplicates', 'customerIo', 'customerCampaigns',
])
const interactionsNav = bar('nav.interactions', ['interactionSearch', 'interactionNew', 'tasksToday'])
const tasksNav = bar('nav.tasks', ['tasksToday', 'tasksOverdue', 'tasksUpcoming', 'tasksDone', 'tasksTeam', 'approvals'])
const enterprisesNav = bar('nav.enterprises', ['enterpriseList', 'waybillSearch', 'waybillAlerts', 'statementList'])
const ticketsNav = bar('nav.tickets', ['ticketList', 'ticketMine', 'ticketQueue'])
// 系统管理 has many pages: the bar shows them in groups under a heading.
const grouped = (title, groups) => ({
  title,
  groups: groups.map(([label, keys]) => ({ label, items: keys.map((k) => LINKS[k]) })),
  items: groups.flatMap(([, keys]) => keys.map((k) => LINKS[k])),
})
const adminNav = grouped('nav.admin', [
  ['nav.adminGroup.org', ['adminUsers', 'adminBranches', 'adminWorkCalendar']],
  ['nav.adminGroup.data', ['adminDictionaries', 'adminFields', 'adminForms', 'adminTags', 'adminRetention']],
  ['nav.adminGroup.flow', ['adminRules', 'adminTemplates', 'adminApprovalFlows', 'adminReminderRules', 'adminWaybillThresholds', 'adminSla']],
  ['nav.adminGroup.billing', ['adminPriceLists', 'adminPrintTemplates']],
  ['nav.adminGroup.integration', ['adminApiKeys', 'adminWebhooks', 'adminApiDocs', 'adminNotify', 'adminMailbox', 'adminDevMailbox']],
  ['nav.adminGroup.audit', ['adminAuditLog']],
])

/** The left bar for a section (route.meta.section). */
export function sideNavFor(section) {
  if (section === 'admin') return adminNav
  if (section === 'customers') return customersNav
  if (section === 'interactions') return interactionsNav
  if (section === 'tasks') return tasksNav
  if (section === 'enterprises') return enterprisesNav
  if (section === 'tickets') return ticketsNav
  return quickNav
}
