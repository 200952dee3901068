// 客户管理 — individual customer profiles (filled in by the customers issue).
export default [
  {
    path: 'customers',
    name: 'customers',
    component: () => import('./CustomerListView.vue'),
    meta: { title: 'nav.customers', section: 'customers', perm: 'customers.read' },
  },
  {
    path: 'customers/new',
    name: 'customer-new',
    component: () => import('./CustomerNewView.vue'),
    meta: { title: 'nav.customerNew', section: 'customers', perm: 'customers.write' },
  },
]
