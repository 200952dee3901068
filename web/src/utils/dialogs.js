// Confirmation boxes with texts in the UI language. ElMessageBox is created
// outside the component tree, so it does not see el-config-provider's
// locale: the button texts are passed explicitly.
import { ElMessageBox } from 'element-plus'
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
