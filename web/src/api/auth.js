// Sign-in, session and password endpoints (/api/v1/auth/*).
import { http } from './http.js'

export const authApi = {
  login: (login, password) => http.post('/auth/login', { login, password }, { quiet: true }),
  logout: () => http.post('/auth/logout', {}, { quiet: true }),
  me: () => http.get('/auth/me', undefined, { quiet: true }),
  setLang: (lang) => http.patch('/auth/me', { lang }),
  changePassword: (oldPassword, newPassword) =>
    http.post('/auth/password', { old_password: oldPassword, new_password: newPassword }),
  forgot: (login, channel) => http.post('/auth/forgot', { login, channel }),
  reset: (login, code, newPassword) =>
    http.post('/auth/reset', { login, code, new_password: newPassword }),
}
