// 大客户 — VIP enterprise accounts (filled in by the enterprises issue).
export default [
  {
    path: 'enterprises',
    name: 'enterprises',
    component: () => import('./EnterpriseListView.vue'),
    meta: { title: 'nav.enterprises', section: 'enterprises', perm: 'enterprises.read' },
  },
]
