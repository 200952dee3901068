// Column widths per language: English labels and values ("Destination",
// "Follow-up", "Female") need more room than their Chinese counterparts,
// and a column sized for Chinese breaks English words. In a template:
//   const w = useLocaleWidth();  <el-table-column :width="w(60, 80)">
// The function reads the reactive locale, so widths follow a switch.
import { useI18n } from 'vue-i18n'

export function useLocaleWidth() {
  const { locale } = useI18n()
  return (zh, en) => (locale.value === 'en' ? en : zh)
}
