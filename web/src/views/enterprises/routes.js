// 大客户 — VIP enterprise accounts: the list and the 360 page.
export default [
  {
    path: 'enterprises',
    name: 'enterprises',
    component: () => import('./EnterpriseListView.vue'),
    meta: { title: 'nav.enterprises', section: 'enterprises', perm: 'enterprises.read' },
  },
  {
    path: 'enterprises/:id(\\d+)',
    name: 'enterprise-detail',
    component: () => import('./EnterpriseDetailView.vue'),
    meta: { title: 'enterprise.detailTitle', section: 'enterprises', perm: 'enterprises.read' },
  },
]
