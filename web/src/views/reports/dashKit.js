// What the dashboards share: money from fen in the reader's units, counts,
// the change of a figure on the period before (null when there was none
// to compare with), and the period picker's query.
import { useI18n } from 'vue-i18n'

export function useDashFormat() {
  const { t, locale } = useI18n()
  const int = (v) => Number(v || 0).toLocaleString(locale.value)
  const yuan = (fen) => '¥' + (Number(fen || 0) / 100).toLocaleString(locale.value, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  // 万 in Chinese, thousands in English, on axes and cards alike
  const yuanShort = (fen) => {
    const y = Number(fen || 0) / 100
    const big = locale.value === 'en' ? 1000 : 10000
    return y >= big ? t('dash.bigMoney', { n: Number((y / big).toFixed(1)).toLocaleString(locale.value) }) : '¥' + int(Math.round(y))
  }
  const pct = (r) => (r === null || r === undefined ? '—' : `${(Math.abs(r) * 100).toFixed(1)}%`)
  return { t, locale, int, yuan, yuanShort, pct }
}

/** (now - before) / before; null without a before to compare with. */
export function change(now, before) {
  const b = Number(before || 0)
  return b ? (Number(now || 0) - b) / b : null
}
