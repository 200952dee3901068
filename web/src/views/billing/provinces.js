// The provinces the price list's zone map knows (the 试算 box and the zone
// editor choose from them): read from the version in force, once a page.
import { ref } from 'vue'
import { priceListsApi } from '@/api/pricing.js'

/** Distinct origins of a version's zone rows, in their order. */
export const provincesOf = (version) => [...new Set((version?.zones || []).map((z) => z.origin))]

export function useProvinces() {
  const provinces = ref([])
  async function load() {
    const { items } = await priceListsApi.list()
    const current = items.find((v) => v.status === 'current') || items[items.length - 1]
    if (current) provinces.value = provincesOf(await priceListsApi.get(current.id))
  }
  return { provinces, load }
}
