// Texts of the shared list dialogs (bulk tags, export, import) that name the
// records ("位客户", "导入客户"): the customers' wording is the base key, and
// another entity words it under entityIo.<entity>.<the same key>
// (i18n/parts/enterprise-list.js), falling back to the base key.
import { useI18n } from 'vue-i18n'

export function useEntityText(entity = 'customer') {
  const { t, te } = useI18n()
  return (key, params) => {
    const own = `entityIo.${entity}.${key}`
    return entity !== 'customer' && te(own) ? t(own, params) : t(key, params)
  }
}
