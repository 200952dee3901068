// 统计分析 — dashboards and reports (filled in by the reports issue).
export default [
  {
    path: 'reports',
    name: 'reports',
    component: () => import('./ReportDashboardView.vue'),
    meta: { title: 'nav.reports', section: 'reports', perm: 'reports.read' },
  },
]
