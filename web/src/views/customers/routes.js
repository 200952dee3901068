// 客户管理 — individual customer profiles.
const meta = (title, perm = 'customers.read') => ({ title, section: 'customers', perm })

export default [
  {
    path: 'customers',
    name: 'customers',
    component: () => import('./CustomerListView.vue'),
    meta: meta('nav.customers'),
  },
  {
    path: 'customers/new',
    name: 'customer-new',
    component: () => import('./CustomerNewView.vue'),
    meta: meta('nav.customerNew', 'customers.write'),
  },
  {
    path: 'customers/segments',
    name: 'customer-segments',
    component: () => import('./SegmentsView.vue'),
    meta: meta('nav.customerSegments'),
  },
  {
    path: 'customers/duplicates',
    name: 'customer-duplicates',
    component: () => import('./DuplicatesView.vue'),
    meta: meta('nav.customerDuplicates'),
  },
  {
    path: 'customers/io',
    name: 'customer-io',
    component: () => import('./ImportExportView.vue'),
    meta: meta('nav.customerIo', 'customers.write'),
  },
  {
    path: 'customers/campaigns',
    name: 'customer-campaigns',
    component: () => import('./CampaignsView.vue'),
    meta: meta('nav.customerCampaigns', 'customers.campaigns'),
  },
  {
    path: 'customers/:id(\\d+)',
    name: 'customer-detail',
    component: () => import('./CustomerDetailView.vue'),
    meta: meta('nav.customerDetail'),
  },
]
