// Sign-in, forgotten password and the forced password change. These pages
// stand outside the main layout.
export default [
  {
    path: '/login',
    name: 'login',
    component: () => import('./LoginView.vue'),
    meta: { title: 'login.title', public: true },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: () => import('./ForgotPasswordView.vue'),
    meta: { title: 'forgot.title', public: true },
  },
  {
    path: '/change-password',
    name: 'change-password',
    component: () => import('./ChangePasswordView.vue'),
    meta: { title: 'changePassword.title' },
  },
]
