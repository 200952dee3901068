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

/**
 * el-form rules for a new password in form[field] and its confirmation in
 * form.confirm. login(): the user's staff number (the password may not
 * contain it); otherProblem(v): an i18n key for a further objection, or ''.
 */
export function newPasswordRules(t, form, field, login, otherProblem = () => '') {
  return {
    [field]: [
      {
        required: true,
        trigger: 'blur',
        validator: (_r, v, cb) => {
          const key = passwordProblem(v, login()) || otherProblem(v)
          return key ? cb(new Error(t(key))) : cb()
        },
      },
    ],
    confirm: [
      {
        required: true,
        trigger: 'blur',
        validator: (_r, v, cb) => (v === form[field] ? cb() : cb(new Error(t('password.mismatch')))),
      },
    ],
  }
}
