// Error pages shown inside the main layout.
const ErrorView = () => import('./ErrorView.vue')

export default [
  {
    path: 'forbidden',
    name: 'forbidden',
    component: ErrorView,
    props: { kind: 'forbidden' },
    meta: { title: 'errors.forbiddenTitle', section: 'home' },
  },
  {
    path: ':pathMatch(.*)*',
    name: 'not-found',
    component: ErrorView,
    props: { kind: 'notFound' },
    meta: { title: 'errors.notFoundTitle', section: 'home' },
  },
]
