// 工作台 — the home page after sign-in.
export default [
  {
    path: '',
    name: 'home',
    component: () => import('./HomeView.vue'),
    meta: { title: 'nav.home', section: 'home' },
  },
]
