// 目标客户群: saved filters.
import { http } from './http.js'

export const segmentsApi = {
  list: (entity = 'customer') => http.get('/segments', { entity }),
  create: (body) => http.post('/segments', body),
  update: (id, body) => http.patch(`/segments/${id}`, body),
  remove: (id) => http.del(`/segments/${id}`),
}
