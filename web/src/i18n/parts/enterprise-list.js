// 大客户列表 with the customers' list experience (issue 15): the words of the
// shared dialogs when they act on enterprises (useEntityText reads
// entityIo.<entity>.<the customers' key>), the bulk bar, the segments
// page's entity switch.
export default {
  'zh-CN': {
    entityIo: {
      kind: '数据类型',
      entities: { customer: '个人客户', enterprise: '大客户' },
      reassign: {
        menu: '更换客户经理',
        title: '批量更换专属客户经理',
        to: '新的专属客户经理',
        submit: '确认更换',
        figures: '共 {count} 家，其中 {changed} 家将更换客户经理',
        needPreview: '请先预览受影响的大客户',
        done: '已为 {n} 家大客户更换客户经理',
      },
      enterprise: {
        selectedBar: '已选 {n} 家大客户',
        segments: { apply: '查看大客户' },
        bulkAllHint: '对当前筛选结果（共 {n} 家）批量操作',
        bulkTags: {
          selected: '已选的 {n} 家大客户',
          all: '当前筛选结果（共 {n} 家）',
          done: '已更新 {n} 家大客户',
        },
        exportDialog: {
          title: '导出大客户',
          scope: '范围',
          filtered: '当前筛选结果（{n} 家）',
          maskNote: '联系人手机号将以打码形式导出；每次导出都记入审计日志。',
          clearNote: '您的角色可导出联系人完整手机号，请妥善保管文件；每次导出都记入审计日志。',
        },
        importWizard: {
          title: '导入大客户',
        },
      },
    },
  },
  en: {
    entityIo: {
      kind: 'Records',
      entities: { customer: 'Customers', enterprise: 'VIP accounts' },
      reassign: {
        menu: 'Change manager',
        title: 'Change the account manager',
        to: 'New account manager',
        submit: 'Change',
        figures: '{count} VIP accounts, {changed} of them get a new manager',
        needPreview: 'Preview the accounts it changes first',
        done: '{n} VIP accounts have a new account manager',
      },
      enterprise: {
        selectedBar: 'Selected: {n}',
        segments: { apply: 'Show VIP accounts' },
        bulkAllHint: 'Act on the whole filtered result ({n} VIP accounts)',
        bulkTags: {
          selected: 'the selected ones ({n})',
          all: 'the whole filtered result ({n})',
          done: '{n} VIP accounts updated',
        },
        exportDialog: {
          title: 'Export VIP accounts',
          scope: 'VIP accounts',
          filtered: 'Current result ({n})',
          maskNote: 'Contact mobile numbers are exported masked; every export is recorded in the audit log.',
          clearNote: 'Your role exports full contact mobile numbers: keep the file safe. Every export is recorded in the audit log.',
        },
        importWizard: {
          title: 'Import VIP accounts',
        },
      },
    },
  },
}
