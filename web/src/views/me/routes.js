// 个人 — pages of one's own settings, reached from the user menu.
export default [
  {
    path: 'me/notify',
    name: 'my-notify',
    component: () => import('./NotifySettingsView.vue'),
    meta: { title: 'nav.myNotify', section: 'home' },
  },
]
