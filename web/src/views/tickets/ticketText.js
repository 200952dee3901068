// What the ticket pages show alike: the time left on a ticket's clock
// (已超时 in red once passed, frozen while waiting for the customer), the
// tag colours of statuses and priorities, the ticket types' labels, and
// which status changes the server allows from each status (the same
// table as src/service/ticket.c, so the page offers only those).
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ticketsApi } from '@/api/tickets.js'
import { localLabel } from '@/utils/localLabel.js'

export const STATUSES = ['new', 'assigned', 'in_progress', 'waiting_customer', 'resolved', 'closed', 'reopened']
export const PRIORITIES = ['urgent', 'high', 'normal', 'low']

export const MOVES = {
  new: ['in_progress', 'waiting_customer', 'resolved', 'closed'],
  assigned: ['in_progress', 'waiting_customer', 'resolved', 'closed'],
  in_progress: ['waiting_customer', 'resolved', 'closed'],
  waiting_customer: ['in_progress', 'resolved', 'closed'],
  resolved: ['closed', 'reopened'],
  closed: ['reopened'],
  reopened: ['in_progress', 'waiting_customer', 'resolved', 'closed'],
}

const STATUS_TAG = {
  new: 'primary',
  assigned: 'primary',
  in_progress: 'warning',
  waiting_customer: 'info',
  resolved: 'success',
  closed: 'info',
  reopened: 'danger',
}
const PRIORITY_TAG = { urgent: 'danger', high: 'warning', normal: 'primary', low: 'info' }

export const statusTag = (s) => STATUS_TAG[s] || 'info'
export const priorityTag = (p) => PRIORITY_TAG[p] || 'info'

export function useTicketText() {
  const { t } = useI18n()
  const types = ref([])

  async function loadTypes() {
    try {
      const d = await ticketsApi.types()
      types.value = (d && d.items) || []
    } catch (e) {
      types.value = []
    }
  }
  const typeLabel = (row) => {
    const item = types.value.find((x) => x.value === row.type)
    return item ? localLabel(item) : row.type_label || row.type
  }

  /** "2天3小时", "3小时12分钟", "12分钟" of a number of seconds. */
  function duration(secs) {
    const m = Math.max(0, Math.floor(Math.abs(secs) / 60))
    const d = Math.floor(m / 1440)
    const h = Math.floor((m % 1440) / 60)
    const parts = []
    if (d) parts.push(t('tickets.units.d', { n: d }))
    if (h) parts.push(t('tickets.units.h', { n: h }))
    if (!d && (m % 60 || !h)) parts.push(t('tickets.units.m', { n: m % 60 }))
    return parts.join('')
  }

  /** {text, kind: 'breached' | 'paused' | 'running' | 'none'} of a ticket. */
  function remaining(row) {
    if (row.remaining_seconds === null || row.remaining_seconds === undefined) return { text: '—', kind: 'none' }
    if (row.remaining_seconds < 0) return { text: t('tickets.overdueBy', { time: duration(row.remaining_seconds) }), kind: 'breached' }
    const text = t('tickets.left', { time: duration(row.remaining_seconds) })
    return { text, kind: row.paused_at ? 'paused' : row.breached ? 'breached' : 'running' }
  }

  return { types, loadTypes, typeLabel, duration, remaining }
}
