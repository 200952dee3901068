// The counter clerk's keyboard-first flow, business time and refunds (issue 14).
export default {
  'zh-CN': {
    globalSearch: {
      placeholder: '搜索客户：姓名、手机号、编号',
      label: '搜索客户',
      hint: '搜索客户（按 / 或 Ctrl+K）',
      searching: '正在搜索…',
      noMatch: '没有找到客户',
      keys: '↑ ↓ 选择 · Enter 打开 · Esc 关闭 · 任意页面按 / 或 Ctrl+K 搜索',
    },
    counter: {
      formKeys: '键盘操作：数字键 1–9 选择业务类型 · Alt+数字 插入快捷用语 · Alt+F 跟进提醒 · Ctrl+Enter 保存',
      followUpHint: '保存后将在该时间（北京时间）为您生成一条待办事项，负责人是您。',
      dupTitle: '邮件号已登记过',
      dupSave: '仍然保存',
      dupLine: '{name}（{phone}，{no}）于 {at} 登记',
      dupOther: '其他网点的客户于 {at} 登记',
      refund: '退款',
      refundTag: '退款',
      refundTitle: '登记退款',
      refundOf: '原业务',
      refundAmount: '退款金额',
      refundReason: '退款原因',
      refundReasonPlaceholder: '例如：邮件破损，退还邮费',
      refundSave: '保存退款',
      refundSaved: '退款已登记',
      refundHint: '退款金额不能超过原业务尚未退还的金额，并从客户近12个月消费中扣除。',
    },
    interactions: {
      fields: {
        actions: '操作',
      },
    },
  },
  en: {
    globalSearch: {
      placeholder: 'Customer: name, phone, no.',
      label: 'Find a customer',
      hint: 'Find a customer (press / or Ctrl+K)',
      searching: 'Searching…',
      noMatch: 'No customer found',
      keys: '↑ ↓ choose · Enter open · Esc close · / or Ctrl+K on any page',
    },
    counter: {
      formKeys: 'Keys: 1–9 business type · Alt+digit quick phrase · Alt+F follow-up · Ctrl+Enter save',
      followUpHint: 'Saving makes a to-do for you at that time (China time).',
      dupTitle: 'Tracking number recorded before',
      dupSave: 'Save anyway',
      dupLine: '{name} ({phone}, {no}) on {at}',
      dupOther: 'A customer of another branch on {at}',
      refund: 'Refund',
      refundTag: 'Refund',
      refundTitle: 'Record a refund',
      refundOf: 'Original',
      refundAmount: 'Refund amount',
      refundReason: 'Reason',
      refundReasonPlaceholder: 'e.g. item damaged, postage refunded',
      refundSave: 'Save refund',
      refundSaved: 'Refund recorded',
      refundHint: 'A refund cannot exceed what is left of the original amount; it is taken off the customer\'s 12-month spend.',
    },
    interactions: {
      fields: {
        actions: 'Actions',
      },
    },
  },
}
