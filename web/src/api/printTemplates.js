// Statement print templates (打印模板, docs/billing.md): the shared default
// and enterprises' own, their logo and seal images, and the preview (page 1
// of a sample statement as a PNG, the page count in X-Page-Count).
import { http, uploadRaw, apiUrl, postForBlob } from './http.js'

export const printTemplatesApi = {
  list: () => http.get('/print-templates'),
  get: (id) => http.get(`/print-templates/${id}`),
  create: (body, opts) => http.post('/print-templates', body, opts),
  update: (id, body, opts) => http.put(`/print-templates/${id}`, body, opts),
  remove: (id) => http.del(`/print-templates/${id}`),
  upload: (id, kind, file, opts) => uploadRaw(`/print-templates/${id}/${kind}`, undefined, file, 'image/png', opts),
  removeImage: (id, kind) => http.del(`/print-templates/${id}/${kind}`),
  imageUrl: (id, kind, version) => apiUrl(`/print-templates/${id}/${kind}`, { v: version }),
  async preview(id, draft, opts) {
    const { blob, headers } = await postForBlob(`/print-templates/${id}/preview`, draft, opts)
    return { blob, pages: Number(headers.get('X-Page-Count')) || 0 }
  },
}
