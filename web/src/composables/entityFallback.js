// What GET /meta/entities/customer answers, for a server that predates that
// endpoint (it answers 404): the built-in customer fields as the server's
// entity descriptor (src/crm/entity.c) and importer declare them, without
// labels (useEntityMeta then takes vue-i18n's customers.fields.*). The UI
// reads only the endpoint's shape; this table stands in for it until every
// server in use has the endpoint, and is to be deleted then.
const T = true
const f = (key, type, flags = {}) => ({
  key, type, label: null, label_en: null, builtin: true,
  filter: T, sort: false, export: T, import: false, required: false, mask: null, dict: null,
  ...flags,
})

const CUSTOMER_BUILTIN = [
  f('customer_no', 'text', { sort: T }),
  f('name', 'text', { sort: T, import: T, required: T }),
  f('gender', 'select', { import: T }),
  f('phone', 'phone', { import: T, required: T, mask: 'phone' }),
  f('id_number', 'text', { import: T, mask: 'id' }),
  f('birthday', 'date', { import: T }),
  f('birthday_lunar', 'boolean', { export: false }),
  f('address', 'text', { import: T }),
  f('region', 'text', { import: T, dict: 'region' }),
  f('occupation', 'text', { import: T, dict: 'occupation' }),
  f('interests', 'array', { import: T }),
  f('business_prefs', 'array', { import: T, dict: 'business_type' }),
  f('service_level', 'text', { import: T, dict: 'service_level' }),
  f('level', 'text', { import: T, dict: 'customer_level' }),
  f('tags', 'tags', { import: T }),
  f('owner_id', 'int'),
  f('branch_id', 'branch'),
  f('created_at', 'time', { sort: T }),
  f('updated_at', 'time', { sort: T }),
]

/** A custom field definition (GET /fields) as the endpoint lists it. */
export const customFieldMeta = (d) => ({
  key: 'custom.' + d.key,
  type: d.type,
  label: d.label,
  label_en: d.label_en || null,
  builtin: false,
  filter: T,
  sort: false,
  export: T,
  import: T,
  required: !!d.required,
  mask: null,
  dict: null,
  options: d.options || [],
})

export const FALLBACK_ENTITIES = {
  customer: { name: 'customer', label: null, label_en: null, fields: CUSTOMER_BUILTIN },
}
