// The password policy, checked in the browser for quick feedback; the
// server checks it again (and also refuses common passwords).

/** Returns the i18n key of the first rule the password breaks, or ''. */
export function passwordProblem(password, login) {
  const pw = password || ''
  if (pw.length < 10) return 'password.tooShort'
  if (!/[A-Za-z]/.test(pw) || !/[0-9]/.test(pw)) return 'password.needMix'
  if (login && pw.toLowerCase().includes(String(login).toLowerCase())) return 'password.containsLogin'
  return ''
}
