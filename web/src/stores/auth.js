// The signed-in user: who they are, what they may do, whether they must
// change their password first. Loaded once per page load from /auth/me
// (the session cookie is HttpOnly, so the server is the only judge).
import { defineStore } from 'pinia'
import { authApi } from '@/api/auth.js'
import { setCsrfToken } from '@/api/http.js'
import { currentLocale, setLocale, signedOutChoice, forgetSignedOutChoice } from '@/i18n'

export const useAuthStore = defineStore('auth', {
  state: () => ({
    user: null,
    permissions: [],
    mustChangePassword: false,
    loaded: false,
  }),

  getters: {
    signedIn: (s) => !!s.user,
    isAdmin: (s) => s.permissions.includes('admin'),
  },

  actions: {
    /** True when the user holds every permission in perms (string or array). */
    can(perms) {
      if (!perms) return true
      const list = Array.isArray(perms) ? perms : [perms]
      return list.every((p) => this.permissions.includes(p))
    },

    applySession(data, { keepLocale = false } = {}) {
      if (data.csrf_token !== undefined) setCsrfToken(data.csrf_token)
      if (data.user) this.user = data.user
      if (data.permissions) this.permissions = data.permissions
      if (data.must_change_password !== undefined) this.mustChangePassword = !!data.must_change_password
      // The account's language preference follows the user across devices.
      if (!keepLocale && data.user && data.user.lang && data.user.lang !== currentLocale()) setLocale(data.user.lang)
    },

    /** Load the session once; resolves to signedIn. Never throws. */
    async init() {
      if (this.loaded) return this.signedIn
      await this.refresh()
      return this.signedIn
    },

    async refresh(opts) {
      try {
        this.applySession(await authApi.me(), opts)
      } catch (e) {
        this.clear()
      }
      this.loaded = true
    },

    async login(login, password) {
      // A language picked on the sign-in page wins over the account's
      // stored preference, and becomes the new preference.
      const chosen = signedOutChoice()
      const data = await authApi.login(login, password)
      this.applySession(data, { keepLocale: !!chosen })
      // The login answer has no permission list; /auth/me does (and is
      // allowed while a password change is pending).
      await this.refresh({ keepLocale: !!chosen })
      if (chosen && this.user) {
        forgetSignedOutChoice()
        // saving the preference failing must not fail the sign-in itself
        if (this.user.lang !== chosen) await this.setLanguage(chosen).catch(() => {})
      }
      return data
    },

    async changePassword(oldPassword, newPassword) {
      const data = await authApi.changePassword(oldPassword, newPassword)
      this.applySession(data)
      await this.refresh()
      return data
    },

    async setLanguage(lang) {
      setLocale(lang)
      if (!this.user) return
      const data = await authApi.setLang(lang)
      if (data && data.user) this.user = data.user
    },

    async logout() {
      try {
        await authApi.logout()
      } finally {
        this.clear()
      }
    },

    clear() {
      this.user = null
      this.permissions = []
      this.mustChangePassword = false
      this.loaded = true
      setCsrfToken('')
    },
  },
})
