// What a page's setup starts with nearly everywhere: the translator, the
// locale's column widths, the route and router, and the signed-in user
// (whose can() hides what the role may not do).
//   const { t, route, router, auth } = usePage()
import { useI18n } from 'vue-i18n'
import { useRoute, useRouter } from 'vue-router'
import { useAuthStore } from '@/stores/auth.js'
import { useLocaleWidth } from './useLocaleWidth.js'

export function usePage() {
  const { t } = useI18n()
  return { t, w: useLocaleWidth(), route: useRoute(), router: useRouter(), auth: useAuthStore() }
}
