// 业务记录 — business records (filled in by the interactions issue).
export default [
  {
    path: 'interactions',
    name: 'interactions',
    component: () => import('./InteractionListView.vue'),
    meta: { title: 'nav.interactions', section: 'interactions', perm: 'customers.read' },
  },
  {
    path: 'interactions/new',
    name: 'interaction-new',
    component: () => import('./InteractionNewView.vue'),
    meta: { title: 'nav.interactionNew', section: 'interactions', perm: 'interactions.write' },
  },
]
