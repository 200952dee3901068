// 大客户 → 对账单: the statements one sees and a statement's page.
const meta = (title) => ({ title, section: 'enterprises', perm: 'enterprises.read' })

export default [
  {
    path: 'statements',
    name: 'statements',
    component: () => import('./StatementListView.vue'),
    meta: meta('nav.statementList'),
  },
  {
    path: 'statements/:id(\\d+)',
    name: 'statement-detail',
    component: () => import('./StatementDetailView.vue'),
    meta: meta('statementUi.detailTitle'),
  },
]
