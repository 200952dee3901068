// Routes and the sign-in / permission guard. Each module under views/
// contributes its own routes.js; the main layout hosts all signed-in pages.
import { createRouter, createWebHistory } from 'vue-router'
import { useAuthStore } from '@/stores/auth.js'
import { i18n } from '@/i18n'
import MainLayout from '@/layouts/MainLayout.vue'
import authRoutes from '@/views/auth/routes.js'
import homeRoutes from '@/views/home/routes.js'
import customerRoutes from '@/views/customers/routes.js'
import interactionRoutes from '@/views/interactions/routes.js'
import taskRoutes from '@/views/tasks/routes.js'
import approvalRoutes from '@/views/approvals/routes.js'
import enterpriseRoutes from '@/views/enterprises/routes.js'
import waybillRoutes from '@/views/waybills/routes.js'
import statementRoutes from '@/views/statements/routes.js'
import ticketRoutes from '@/views/tickets/routes.js'
import reportRoutes from '@/views/reports/routes.js'
import adminRoutes from '@/views/admin/routes.js'
import meRoutes from '@/views/me/routes.js'
import errorRoutes from '@/views/errors/routes.js'
import portalRoutes from '@/views/portal/routes.js'

const routes = [
  ...authRoutes,
  ...portalRoutes,
  {
    path: '/',
    component: MainLayout,
    children: [
      ...homeRoutes,
      ...customerRoutes,
      ...interactionRoutes,
      ...taskRoutes,
      ...approvalRoutes,
      ...enterpriseRoutes,
      ...waybillRoutes,
      ...statementRoutes,
      ...ticketRoutes,
      ...reportRoutes,
      ...adminRoutes,
      ...meRoutes,
      ...errorRoutes, // keep last: it holds the catch-all
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  // The contact portal and the survey answer to their own sessions.
  if (to.meta.portal) return true
  const auth = useAuthStore()
  await auth.init()

  if (to.meta.public) {
    // A signed-in user has no business on the sign-in pages.
    if (auth.signedIn) return auth.mustChangePassword ? { name: 'change-password' } : { name: 'home' }
    return true
  }
  if (!auth.signedIn) {
    const redirect = to.fullPath !== '/' ? to.fullPath : undefined
    return { name: 'login', query: redirect ? { redirect } : {} }
  }
  // A pending password change shuts every other page.
  if (auth.mustChangePassword) return to.name === 'change-password' ? true : { name: 'change-password' }
  if (to.name === 'change-password') return { name: 'home' }

  if (to.meta.perm && !auth.can(to.meta.perm)) return { name: 'forbidden' }
  return true
})

function updateTitle(route) {
  const { t } = i18n.global
  const app = t('app.name')
  document.title = route && route.meta.title ? `${t(route.meta.title)} - ${app}` : app
}

router.afterEach((to) => updateTitle(to))

/** Re-title the page after a language switch. */
export function retitle() {
  updateTitle(router.currentRoute.value)
}
