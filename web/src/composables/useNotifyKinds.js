// The notification kinds, as the server lists them (src/notify/notify.c
// holds the one table), and their names in the UI's language (the code
// itself for a kind this UI does not know yet).
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { notifyApi } from '@/api/notify.js'

export function useNotifyKinds() {
  const { t, te } = useI18n()
  const kinds = ref([])
  // Message keys cannot hold dots: task.assigned is kindNames.task_assigned.
  const key = (k) => `notify.kindNames.${k.replace(/\./g, '_')}`
  const kindName = (k) => (te(key(k)) ? t(key(k)) : k)
  async function loadKinds() {
    const d = await notifyApi.mySettings()
    kinds.value = d.kinds
    return d
  }
  return { kinds, kindName, loadKinds }
}
