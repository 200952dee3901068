// The tour in Chinese, and the sign-in page's language choice (tour.mjs).
import { tour } from './tour.mjs'

tour({ langs: ['zh-CN'], languageChoice: true })
