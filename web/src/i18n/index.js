// vue-i18n set-up. Two languages: zh-CN (default) and en. The chosen
// language is kept in localStorage (the device's choice) and in the user's
// profile on the server (PATCH /auth/me), and is sent to the API as
// Accept-Language on every request so server messages match the UI.
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN.js'
import en from './en.js'
import { buildMessages } from './merge.js'

// One file per feature beside the two base files (see merge.js).
const partModules = import.meta.glob('./parts/*.js', { eager: true })
const parts = Object.keys(partModules)
  .sort()
  .map((k) => partModules[k].default)
const { messages } = buildMessages({ 'zh-CN': zhCN, en }, parts)

export const LOCALES = ['zh-CN', 'en']
const STORAGE_KEY = 'hy_lang'

function initialLocale() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY)
    if (LOCALES.includes(saved)) return saved
  } catch (e) {
    /* storage unavailable: fall back to the default */
  }
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages,
  missingWarn: false,
  fallbackWarn: false,
})

/** The current locale, 'zh-CN' or 'en'. */
export function currentLocale() {
  return i18n.global.locale.value
}

/** Switch the UI language; unknown values are ignored. */
export function setLocale(locale) {
  if (!LOCALES.includes(locale)) return
  i18n.global.locale.value = locale
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch (e) {
    /* storage unavailable: the choice lasts for this page only */
  }
  document.documentElement.lang = locale
}

document.documentElement.lang = currentLocale()

const CHOICE_KEY = 'hy_lang_chosen'

/** Remember a language picked on a page before sign-in (this tab only). */
export function rememberSignedOutChoice(locale) {
  try {
    sessionStorage.setItem(CHOICE_KEY, locale)
  } catch (e) {
    /* storage unavailable: the account's preference applies at sign-in */
  }
}

/** The language picked before sign-in, if any. */
export function signedOutChoice() {
  try {
    const v = sessionStorage.getItem(CHOICE_KEY)
    return LOCALES.includes(v) ? v : null
  } catch (e) {
    return null
  }
}

/** Forget the choice once it is saved to the account. */
export function forgetSignedOutChoice() {
  try {
    sessionStorage.removeItem(CHOICE_KEY)
  } catch (e) {
    /* nothing stored */
  }
}
