// The one fetch wrapper every API call goes through.
//
// - JSON in, JSON out, cookies same-origin (the session is the HttpOnly
//   cookie hy_session).
// - Accept-Language follows the UI language, so server messages match it.
// - X-CSRF-Token on every state-changing request (POST/PUT/PATCH/DELETE).
// - A non-2xx answer becomes an ApiError carrying the server's
//   {"error":{"code","message","fields"}}; its message is shown with
//   ElMessage unless the caller passes {quiet: true}. Forms show
//   error.fields next to their fields (see composables/useFormErrors.js).
// - 401 "unauthorized" (session gone) and 403 "password_change_required"
//   are handed to hooks installed by main.js (sign-in page / forced change).
import { ElMessage } from 'element-plus'
import { i18n, currentLocale } from '@/i18n'

const BASE = '/api/v1'
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

let csrfToken = ''
const hooks = { unauthorized: null, passwordChangeRequired: null }

export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields || {}
  }
}

/** Remember the CSRF token from login, /auth/me or a password change. */
export function setCsrfToken(token) {
  csrfToken = token || ''
}

/** Install the handlers for a lost session / a forced password change. */
export function setHttpHooks({ unauthorized, passwordChangeRequired }) {
  hooks.unauthorized = unauthorized || null
  hooks.passwordChangeRequired = passwordChangeRequired || null
}

function buildUrl(path, query) {
  let url = BASE + path
  if (query) {
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue
      params.append(k, String(v))
    }
    const qs = params.toString()
    if (qs) url += '?' + qs
  }
  return url
}

async function readJson(res) {
  const text = await res.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch (e) {
    return null
  }
}

/**
 * fetch → parsed JSON body; a non-2xx answer or an unreachable server
 * becomes an ApiError (shown unless quiet, handed to the hooks).
 */
async function send(url, init, quiet, parse = readJson) {
  let res
  try {
    res = await fetch(url, { ...init, credentials: 'same-origin' })
  } catch (e) {
    const err = new ApiError(0, 'network', i18n.global.t('errors.network'))
    if (!quiet) ElMessage.error(err.message)
    throw err
  }

  if (res.ok) return parse(res)
  const data = await readJson(res)

  const e = (data && data.error) || {}
  const err = new ApiError(
    res.status,
    e.code || 'http_' + res.status,
    e.message || i18n.global.t('errors.http', { status: res.status }),
    e.fields,
  )
  err.details = e // the whole error object (e.g. "duplicates" of a 409)
  if (err.code === 'unauthorized' && hooks.unauthorized) {
    hooks.unauthorized(err)
  } else if (err.code === 'password_change_required' && hooks.passwordChangeRequired) {
    hooks.passwordChangeRequired(err)
  }
  if (!quiet) ElMessage.error({ message: err.message, grouping: true })
  throw err
}

const baseHeaders = () => ({ Accept: 'application/json', 'Accept-Language': currentLocale() })

/**
 * request(method, path, {query, body, quiet}) → parsed JSON body.
 * Throws ApiError on a non-2xx answer or when the server cannot be reached.
 */
export async function request(method, path, { query, body, quiet = false } = {}) {
  const headers = baseHeaders()
  const init = { method, headers }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  if (STATE_CHANGING.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken
  return send(buildUrl(path, query), init, quiet)
}

export const http = {
  get: (path, query, opts) => request('GET', path, { ...opts, query }),
  post: (path, body, opts) => request('POST', path, { ...opts, body: body ?? {} }),
  patch: (path, body, opts) => request('PATCH', path, { ...opts, body }),
  put: (path, body, opts) => request('PUT', path, { ...opts, body }),
  del: (path, opts) => request('DELETE', path, opts),
}

/**
 * Upload a file as the raw request body (imports: POST /imports?entity=…
 * with Content-Type text/csv). Same headers, errors and hooks as request().
 */
export async function uploadRaw(path, query, blob, contentType, { quiet = false } = {}) {
  const headers = { ...baseHeaders(), 'Content-Type': contentType || 'application/octet-stream' }
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken
  return send(buildUrl(path, query), { method: 'POST', headers, body: blob }, quiet)
}

/**
 * POST JSON and take the answer as bytes (a rendered image):
 * {blob, headers}. Errors as request().
 */
export async function postForBlob(path, body, { quiet = false } = {}) {
  const headers = { ...baseHeaders(), 'Content-Type': 'application/json' }
  if (csrfToken) headers['X-CSRF-Token'] = csrfToken
  const init = { method: 'POST', headers, body: JSON.stringify(body ?? {}) }
  return send(buildUrl(path), init, quiet, async (res) => ({ blob: await res.blob(), headers: res.headers }))
}

/** The API URL of a path (for download links). */
export function apiUrl(path, query) {
  return buildUrl(path, query)
}
