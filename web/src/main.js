// Entry point: Vue app with Pinia, vue-router, vue-i18n and Element Plus.
import { createApp, watch } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import 'element-plus/dist/index.css'
import './styles/main.css'
import App from './App.vue'
import { i18n } from './i18n'
import { router, retitle } from './router'
import { setHttpHooks } from './api/http.js'
import { useAuthStore } from './stores/auth.js'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(i18n)
app.use(ElementPlus)
app.use(router)

const auth = useAuthStore(pinia)
setHttpHooks({
  // The session ended (expired, revoked, signed out elsewhere).
  unauthorized() {
    if (!auth.signedIn) return
    auth.clear()
    const here = router.currentRoute.value
    if (!here.meta.public) router.replace({ name: 'login', query: { redirect: here.fullPath } })
  },
  // The server demands a new password before anything else.
  passwordChangeRequired() {
    auth.mustChangePassword = true
    router.replace({ name: 'change-password' })
  },
})

watch(i18n.global.locale, () => retitle())

app.mount('#app')
