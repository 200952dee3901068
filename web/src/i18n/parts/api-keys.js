// API 密钥 (系统管理): the limits of a key (issue 20) — the branch a read
// scope reads, requests a minute, lifetime — and the read scopes' names.
export default {
  'zh-CN': {
    apiKey: {
      branch: '数据范围',
      branchHint: '读取类权限（客户、大客户、对账单）只能读取该机构及下级的数据，且个人信息一律打码',
      rate: '频率上限',
      perMinute: '次/分钟',
      expiry: '有效期',
      days: '天',
      noExpiry: '长期有效',
      limits: '范围与限制',
      rateText: '每分钟 {n} 次',
      expiresAt: '{at} 到期',
      scope: {
        customers_read: '读取个人客户',
        enterprises_read: '读取大客户',
        statements_read: '读取对账单',
      },
    },
  },
  en: {
    apiKey: {
      branch: 'Data scope',
      branchHint: 'Read scopes (customers, VIP accounts, statements) read this unit and the units below it only, personal data always masked',
      rate: 'Rate limit',
      perMinute: 'per minute',
      expiry: 'Valid for',
      days: 'days',
      noExpiry: 'No expiry',
      limits: 'Scope and limits',
      rateText: '{n} a minute',
      expiresAt: 'Expires {at}',
      scope: {
        customers_read: 'Read customers',
        enterprises_read: 'Read VIP accounts',
        statements_read: 'Read statements',
      },
    },
  },
}
