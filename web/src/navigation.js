// Menus as data: the top menu bar (main modules) and the left quick-
// navigation bar, which depends on the current section. Each entry names
// the permission it needs; MainLayout hides what the user lacks and the
// router guard refuses the routes (the server enforces again).
import {
  User,
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
} from '@element-plus/icons-vue'

export const topMenu = [
  { section: 'customers', path: '/customers', label: 'nav.customers', icon: User, perm: 'customers.read' },
  { section: 'interactions', path: '/interactions', label: 'nav.interactions', icon: Tickets, perm: 'customers.read' },
  { section: 'tasks', path: '/tasks', label: 'nav.tasks', icon: AlarmClock, perm: 'tasks.read' },
  { section: 'enterprises', path: '/enterprises', label: 'nav.enterprises', icon: OfficeBuilding, perm: 'enterprises.read' },
  { section: 'reports', path: '/reports', label: 'nav.reports', icon: DataAnalysis, perm: 'reports.read' },
  { section: 'admin', path: '/admin/users', label: 'nav.admin', icon: Setting, perm: 'admin' },
]

const quickNav = {
  title: 'nav.quick',
  items: [
    { path: '/', label: 'nav.home', icon: HomeFilled },
    { path: '/customers/new', label: 'nav.customerNew', icon: CirclePlus, perm: 'customers.write' },
    { path: '/customers', label: 'nav.customerSearch', icon: Search, perm: 'customers.read' },
    { path: '/interactions/new', label: 'nav.interactionNew', icon: EditPen, perm: 'interactions.write' },
    { path: '/tasks?view=today', label: 'nav.tasksToday', icon: Clock, perm: 'tasks.read', badge: 'today' },
    { path: '/tasks?view=overdue', label: 'nav.tasksOverdue', icon: WarningFilled, perm: 'tasks.read', badge: 'overdue' },
    { path: '/tasks?view=upcoming', label: 'nav.tasksUpcoming', icon: List, perm: 'tasks.read', badge: 'upcoming' },
    { path: '/enterprises', label: 'nav.enterpriseList', icon: OfficeBuilding, perm: 'enterprises.read' },
    { path: '/reports', label: 'nav.reportDashboard', icon: DataAnalysis, perm: 'reports.read' },
  ],
}

const customersNav = {
  title: 'nav.customers',
  items: [
    { path: '/customers', label: 'nav.customerSearch', icon: Search, perm: 'customers.read' },
    { path: '/customers/new', label: 'nav.customerNew', icon: CirclePlus, perm: 'customers.write' },
    { path: '/customers/segments', label: 'nav.customerSegments', icon: Aim, perm: 'customers.read' },
    { path: '/customers/io', label: 'nav.customerIo', icon: Sort, perm: 'customers.write' },
  ],
}

const interactionsNav = {
  title: 'nav.interactions',
  items: [
    { path: '/interactions', label: 'nav.interactionSearch', icon: Search, perm: 'customers.read' },
    { path: '/interactions/new', label: 'nav.interactionNew', icon: EditPen, perm: 'interactions.write' },
    { path: '/tasks?view=today', label: 'nav.tasksToday', icon: Clock, perm: 'tasks.read', badge: 'today' },
  ],
}

// badge: the key of GET /tasks/counts shown beside the entry
const tasksNav = {
  title: 'nav.tasks',
  items: [
    { path: '/tasks?view=today', label: 'nav.tasksToday', icon: Clock, perm: 'tasks.read', badge: 'today' },
    { path: '/tasks?view=overdue', label: 'nav.tasksOverdue', icon: WarningFilled, perm: 'tasks.read', badge: 'overdue' },
    { path: '/tasks?view=upcoming', label: 'nav.tasksUpcoming', icon: List, perm: 'tasks.read', badge: 'upcoming' },
    { path: '/tasks?view=done', label: 'nav.tasksDone', icon: CircleCheck, perm: 'tasks.read' },
    { path: '/tasks?view=team', label: 'nav.tasksTeam', icon: Avatar, perm: ['tasks.read', 'customers.merge'] },
  ],
}

const adminNav = {
  title: 'nav.admin',
  items: [
    { path: '/admin/users', label: 'nav.adminUsers', icon: UserFilled, perm: 'admin' },
    { path: '/admin/branches', label: 'nav.adminBranches', icon: Share, perm: 'admin' },
    { path: '/admin/dictionaries', label: 'nav.adminDictionaries', icon: Collection, perm: 'admin' },
    { path: '/admin/fields', label: 'nav.adminFields', icon: Grid, perm: 'admin' },
    { path: '/admin/tags', label: 'nav.adminTags', icon: PriceTag, perm: 'admin' },
    { path: '/admin/reminder-rules', label: 'nav.adminReminderRules', icon: Bell, perm: 'admin' },
    { path: '/admin/audit-log', label: 'nav.adminAuditLog', icon: Document, perm: 'admin' },
    { path: '/admin/dev-mailbox', label: 'nav.adminDevMailbox', icon: Message, perm: 'admin' },
  ],
}

/** The left bar for a section (route.meta.section). */
export function sideNavFor(section) {
  if (section === 'admin') return adminNav
  if (section === 'customers') return customersNav
  if (section === 'interactions') return interactionsNav
  if (section === 'tasks') return tasksNav
  return quickNav
}
