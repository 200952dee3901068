// The customer list's value columns (最近到访, 近90天到访, 近12个月消费,
// 常办业务) and which of them the user shows: a column chooser's choice,
// kept in localStorage (the device's choice, like the language).
import { reactive, watch } from 'vue'

export const VALUE_COLUMNS = ['last_visit_at', 'visits_90d', 'spend_12m', 'top_types']
const DEFAULT_SHOWN = ['last_visit_at', 'spend_12m']
const STORAGE_KEY = 'hy_customer_columns'

function initial() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY))
    if (Array.isArray(saved)) return saved.filter((k) => VALUE_COLUMNS.includes(k))
  } catch (e) {
    /* storage unavailable or not ours: the default */
  }
  return [...DEFAULT_SHOWN]
}

export const valueColumns = reactive({ shown: initial() })

watch(
  () => [...valueColumns.shown],
  (shown) => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(shown))
    } catch (e) {
      /* not kept: the choice lasts this visit */
    }
  },
)

export const columnShown = (key) => valueColumns.shown.includes(key)
