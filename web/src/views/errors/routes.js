// Error pages shown inside the main layout.
export default [
  {
    path: 'forbidden',
    name: 'forbidden',
    component: () => import('./ForbiddenView.vue'),
    meta: { title: 'errors.forbiddenTitle', section: 'home' },
  },
  {
    path: ':pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./NotFoundView.vue'),
    meta: { title: 'errors.notFoundTitle', section: 'home' },
  },
]
