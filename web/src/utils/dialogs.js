// Confirmation boxes with texts in the UI language. ElMessageBox is created
// outside the component tree, so it does not see el-config-provider's
// locale: the button texts are passed explicitly.
import { ElMessage, ElMessageBox } from 'element-plus'
import { i18n } from '@/i18n'

/** Resolves true when confirmed, false when cancelled. */
export async function confirmAction(message, { title, danger = false, confirmText } = {}) {
  const { t } = i18n.global
  try {
    await ElMessageBox.confirm(message, title || t('common.confirmTitle'), {
      confirmButtonText: confirmText || t('common.confirm'),
      cancelButtonText: t('common.cancel'),
      type: danger ? 'warning' : 'info',
      confirmButtonClass: danger ? 'el-button--danger' : '',
      autofocus: false,
    })
    return true
  } catch (e) {
    return false
  }
}

/**
 * The usual "are you sure?" step of deleting, disabling, cancelling…: asks
 * (a danger box), runs action() and says `done` (default 已删除). Resolves
 * true when done, false when the action failed (the http layer showed why),
 * null when the user cancelled.
 */
export async function confirmAndDo(message, action, { done, confirmText } = {}) {
  if (!(await confirmAction(message, { danger: true, confirmText }))) return null
  return doAndSay(action, done || i18n.global.t('common.deleted'))
}

/**
 * Runs action() and, when it worked, says `done` (a success toast).
 * Resolves true when done, false when the action failed (the http layer
 * showed why).
 */
export async function doAndSay(action, done) {
  try {
    await action()
  } catch (e) {
    return false
  }
  ElMessage.success(done)
  return true
}
