// What GET /meta/entities/customer answers, for a server that predates that
// endpoint (it answers 404): the built-in customer fields as the server's
// entity descriptor (src/crm/entity.c) and importer declare them. The UI
// reads only the endpoint's shape; this table stands in for it until every
// server in use has the endpoint, and is to be deleted then.
const T = true
const f = (key, type, label, label_en, flags = {}) => ({
  key, type, label, label_en, builtin: true,
  filter: T, sort: false, export: T, import: false, required: false, mask: null, dict: null,
  ...flags,
})

const CUSTOMER_BUILTIN = [
  f('customer_no', 'text', '客户编号', 'Customer no.', { sort: T }),
  f('name', 'text', '姓名', 'Name', { sort: T, import: T, required: T }),
  f('gender', 'select', '性别', 'Gender', { import: T }),
  f('phone', 'phone', '手机号', 'Mobile', { import: T, required: T, mask: 'phone' }),
  f('id_number', 'text', '身份证号', 'ID number', { import: T, mask: 'id' }),
  f('birthday', 'date', '生日', 'Birthday', { import: T }),
  f('birthday_lunar', 'boolean', '农历生日', 'Lunar birthday', { export: false }),
  f('address', 'text', '详细地址', 'Address', { import: T }),
  f('region', 'text', '所在区域', 'Region', { import: T, dict: 'region' }),
  f('occupation', 'text', '职业', 'Occupation', { import: T, dict: 'occupation' }),
  f('interests', 'array', '兴趣偏好', 'Interests', { import: T }),
  f('business_prefs', 'array', '业务偏好', 'Business preferences', { import: T, dict: 'business_type' }),
  f('service_level', 'text', '服务需求等级', 'Service need level', { import: T, dict: 'service_level' }),
  f('level', 'text', '客户等级', 'Customer level', { import: T, dict: 'customer_level' }),
  f('tags', 'tags', '标签', 'Tags', { import: T }),
  f('owner_id', 'int', '客户经理', 'Account manager'),
  f('branch_id', 'branch', '网点', 'Branch'),
  f('created_at', 'time', '创建时间', 'Created', { sort: T }),
  f('updated_at', 'time', '更新时间', 'Updated', { sort: T }),
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
  customer: { name: 'customer', label: '个人客户', label_en: 'Customers', fields: CUSTOMER_BUILTIN },
}
