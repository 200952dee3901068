// Statements (issue 18, second part): the enterprise's 结算设置 card and
// its 对账单 tab.
export default {
  'zh-CN': {
    statements: {
      modes: { monthly: '月结', cash: '现结', prepaid: '预付' },
      tab: '对账单',
      status: { draft: '草稿', sent: '已发送', confirmed: '已确认', disputed: '有争议', paid: '已结清' },
      list: { empty: '暂无对账单', period: '账期', department: '部门', whole: '全企业', version: '版本', waybills: '运单数', total: '应收', paid: '已收', status: '状态', due: '付款截止' },
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
      tab: 'Statements',
      status: { draft: 'Draft', sent: 'Sent', confirmed: 'Confirmed', disputed: 'Disputed', paid: 'Paid' },
      list: { empty: 'No statements yet', period: 'Period', department: 'Department', whole: 'Whole enterprise', version: 'Version', waybills: 'Waybills', total: 'Total', paid: 'Paid', status: 'Status', due: 'Due' },
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
