// Texts of the ID-number protection (issue 13): a birthday shown to a role
// that sees ID numbers masked has no year.
export default {
  'zh-CN': {
    idcrypto: {
      birthdayNoYear: '{md}（出生年份不显示）',
      birthdayKept: '出生年份不显示；生日随身份证号保存，不会改动',
    },
  },
  en: {
    idcrypto: {
      birthdayNoYear: '{md} (year of birth not shown)',
      birthdayKept: 'Year of birth not shown; the birthday follows the ID number and stays as it is',
    },
  },
}
