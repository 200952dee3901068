// 统计分析 — dashboards and reports (filled in by the reports issue).
export default [
  {
    path: 'reports',
    name: 'reports',
    component: () => import('./ReportDashboardView.vue'),
    meta: { title: 'nav.reports', section: 'reports', perm: 'reports.read' },
  },
  // the report builder (报表引擎) and custom dashboards: builder/
  {
    path: 'reports/builder/:id',
    name: 'report-builder',
    component: () => import('./builder/ReportBuilderView.vue'),
    meta: { title: 'rb.builder.title', section: 'reports', perm: 'reports.read' },
  },
  {
    path: 'reports/dashboards/:id',
    name: 'report-dashboard',
    component: () => import('./builder/DashboardView.vue'),
    meta: { title: 'rb.dashboard.title', section: 'reports', perm: 'reports.read' },
  },
]
