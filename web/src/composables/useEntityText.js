// Texts of the shared list dialogs (bulk tags, export, import) that name the
// records ("位客户", "导入客户"): the customers' wording is the base key, and
// another entity words it under entityIo.<entity>.<the same key>
// (i18n/parts/enterprise-list.js), falling back to the base key.
import { toValue } from 'vue'
import { useI18n } from 'vue-i18n'

/** entity: a name, or a ref / getter of one (a page that switches). */
export function useEntityText(entity = 'customer') {
  const { t, te } = useI18n()
  return (key, params) => {
    const name = toValue(entity)
    const own = `entityIo.${name}.${key}`
    return name !== 'customer' && te(own) ? t(own, params) : t(key, params)
  }
}
