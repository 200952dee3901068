// 标签 / 标签组: tags grouped with colours.
import { http } from './http.js'

export const tagGroupsApi = {
  list: () => http.get('/tag-groups'),
  create: (body) => http.post('/tag-groups', body),
  update: (id, body) => http.patch(`/tag-groups/${id}`, body),
  remove: (id) => http.del(`/tag-groups/${id}`),
}

export const tagsApi = {
  list: () => http.get('/tags'),
  create: (body) => http.post('/tags', body),
  update: (id, body) => http.patch(`/tags/${id}`, body),
  remove: (id) => http.del(`/tags/${id}`),
}
