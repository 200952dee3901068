// Statements (issue 18, second part): the enterprise's 结算设置 card.
export default {
  'zh-CN': {
    statements: {
      modes: { monthly: '月结', cash: '现结', prepaid: '预付' },
      settings: {
        title: '结算设置',
        mode: '结算方式',
        statementDay: '出账日',
        dayOfMonth: '每月 {day} 日',
        dayHint: '每月该日生成上一自然月的对账单（北京时间）',
        paymentDays: '账期',
        days: '{n} 天',
        creditLimit: '信用额度',
        noLimit: '未设置',
        creditHint: '留空表示不设额度',
        yuan: '元',
        split: '部门单独出账',
        finance: '财务联系人',
        noFinance: '无（在联系人中标记“财务”角色）',
        saved: '结算设置已保存',
      },
    },
  },
  en: {
    statements: {
      modes: { monthly: 'Monthly', cash: 'Cash', prepaid: 'Prepaid' },
      settings: {
        title: 'Billing settings',
        mode: 'Billing mode',
        statementDay: 'Statement day',
        dayOfMonth: 'Day {day} of each month',
        dayHint: "On this day the previous calendar month's statement is made (Beijing time)",
        paymentDays: 'Payment terms',
        days: '{n} days',
        creditLimit: 'Credit limit',
        noLimit: 'Not set',
        creditHint: 'Leave empty for no limit',
        yuan: 'CNY',
        split: 'Departments billed separately',
        finance: 'Finance contacts',
        noFinance: 'None (give a contact the Finance role)',
        saved: 'Billing settings saved',
      },
    },
  },
}
