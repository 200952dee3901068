// 自定义字段 (form engine): field definitions per entity.
import { http } from './http.js'

export const fieldsApi = {
  list: (entity = 'customer', includeRetired = false) =>
    http.get('/fields', { entity, include_retired: includeRetired ? 1 : undefined }),
  create: (body) => http.post('/fields', body),
  update: (id, body) => http.patch(`/fields/${id}`, body),
  reorder: (entity, ids) => http.post('/fields/reorder', { entity, ids }),
  retire: (id) => http.post(`/fields/${id}/retire`),
  restore: (id) => http.post(`/fields/${id}/restore`),
}
