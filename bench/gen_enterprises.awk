# gen_enterprises.awk - SQL that fills a migrated Hongyan database with N
# enterprises (valid GB 32100 credit codes, names with their pinyin) and C
# contacts each, for bench/enterprises.sh; and the sample values the wrk
# scripts cycle through, into the directory S.
#   awk -v N=100000 -v C=5 -v S=dir -v BRANCHES="1:/1/2/4/ 2:/1/2/5/" -f gen_enterprises.awk
# Writes straight into the tables (the bench measures reading, not the
# form); the name fragments are added by SQL afterwards.
function split_pieces(s, arr,    n, i, parts, f) {
  n = split(s, parts, " ")
  for (i = 1; i <= n; i++) { split(parts[i], f, ":"); arr[i, 1] = f[1]; arr[i, 2] = f[2]; arr[i, 3] = f[3] }
  return n
}
function uscc(area, serial,    code, sum, i, set, w) {
  set = "0123456789ABCDEFGHJKLMNPQRTUWXY"
  split("1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28", w, " ")
  code = sprintf("91%sMA%07d", area, serial)
  sum = 0
  for (i = 1; i <= 17; i++) sum += (index(set, substr(code, i, 1)) - 1) * w[i]
  return code substr(set, (31 - sum % 31) % 31 + 1, 1)
}
BEGIN {
  srand(20261203)
  nc = split_pieces("广州:guangzhou:gz 深圳:shenzhen:sz 佛山:foshan:fs 东莞:dongguan:dg 珠海:zhuhai:zh", city)
  # a brand name (字号) of two characters from 80: 6,400 brands, about
  # as distinctive as people's given names are among customers (a
  # fragment matches some 20 names of 100,000 in both)
  n1 = split_pieces("华:hua:h 南:nan:n 粤:yue:y 通:tong:t 珠:zhu:z 江:jiang:j 岭:ling:l 天:tian:t 河:he:h 越:yue:y 秀:xiu:x 鹏:peng:p 城:cheng:c 福:fu:f 田:tian:t 海:hai:h 白:bai:b 云:yun:y 康:kang:k 宁:ning:n 百:bai:b 草:cao:c 鲜:xian:x 达:da:d 冰:bing:b 川:chuan:c 宏:hong:h 精:jing:j 恒:heng:h 信:xin:x 金:jin:j 穗:sui:s 嘉:jia:j 盛:sheng:s 泰:tai:t 隆:long:l 丰:feng:f 瑞:rui:r 祥:xiang:x 和:he:h 安:an:a 邦:bang:b 博:bo:b 晨:chen:c 创:chuang:c 德:de:d 鼎:ding:d 东:dong:d 帆:fan:f 峰:feng:f 富:fu:f 广:guang:g 国:guo:g 汉:han:h 浩:hao:h 辉:hui:h 佳:jia:j 杰:jie:j 锦:jin:j 骏:jun:j 凯:kai:k 利:li:l 联:lian:l 林:lin:l 龙:long:l 美:mei:m 明:ming:m 启:qi:q 荣:rong:r 森:sen:s 胜:sheng:s 顺:shun:s 腾:teng:t 万:wan:w 旺:wang:w 威:wei:w 翔:xiang:x 新:xin:x 鑫:xin:x 兴:xing:x", brand)
  n2 = split_pieces("科技:keji:kj 贸易:maoyi:my 物流:wuliu:wl 电商:dianshang:ds 医药:yiyao:yy 食品:shipin:sp 电子:dianzi:dz 实业:shiye:sy 商贸:shangmao:sm 信息:xinxi:xx 生物:shengwu:sw 智能:zhineng:zn 包装:baozhuang:bz 服饰:fushi:fs 家居:jiaju:jj 文化:wenhua:wh 农业:nongye:ny 冷链:lenglian:ll 五金:wujin:wj 化工:huagong:hg", trade)
  nb = split(BRANCHES, br, " ")
  print "BEGIN;"
  for (i = 1; i <= N; i++) {
    c = int(rand() * nc) + 1; b1 = int(rand() * n1) + 1; b2 = int(rand() * n1) + 1; t = int(rand() * n2) + 1
    name = city[c, 1] brand[b1, 1] brand[b2, 1] trade[t, 1] "有限公司"
    py = city[c, 2] brand[b1, 2] brand[b2, 2] trade[t, 2] "youxiangongsi"
    ini = city[c, 3] brand[b1, 3] brand[b2, 3] trade[t, 3] "yxgs"
    code = uscc("440106", i)
    split(br[(i - 1) % nb + 1], bp, ":")
    if ((i - 1) % 500 == 0) {
      if (i > 1) print ";"
      printf "INSERT INTO enterprises (id, customer_no, name, name_pinyin, name_initials, uscc, industry, tier, status, credit_days, credit_limit_fen, billing_day, settlement, branch_id, branch_path, created_at, updated_at) VALUES\n"
    } else printf ",\n"
    printf "(%d,'E-BENCH-%07d','%s','%s','%s','%s','F','key','active',30,5000000,25,'monthly',%s,'%s',%d,%d)", i, i, name, py, ini, code, bp[1], bp[2], 1764720000 + i, 1764720000 + i
    if (i % 97 == 0) { print code > (S "/e_uscc.txt"); print i > (S "/e_ids.txt") }
    if (i % 97 == 0) print brand[b1, 1] brand[b2, 1] > (S "/e_frags.txt")
    # a word of the trade ("科技"): a twentieth of all names
    if (i % 997 == 0) print trade[t, 1] > (S "/e_words.txt")
  }
  print ";"
  id = 0
  for (i = 1; i <= N; i++) {
    for (k = 1; k <= C; k++) {
      id++
      mobile = sprintf("17%09d", id * 7 % 1000000000)
      if ((id - 1) % 1000 == 0) {
        if (id > 1) print ";"
        printf "INSERT INTO enterprise_contacts (id, enterprise_id, name, roles, mobile, mobile_last4, is_primary, department_id, created_at, updated_at) VALUES\n"
      } else printf ",\n"
      printf "(%d,%d,'联系人%d','[\"liaison\"]','%s','%s',%d,NULL,0,0)", id, i, k, mobile, substr(mobile, 8), k == 1
      if (id % 499 == 0) print mobile > (S "/e_mobiles.txt")
    }
  }
  print ";"
  print "INSERT OR IGNORE INTO enterprise_name_grams (gram, enterprise_id) WITH RECURSIVE pos(id, name, k) AS (SELECT id, name, 1 FROM enterprises UNION ALL SELECT id, name, k + 1 FROM pos WHERE k < length(name)) SELECT CASE WHEN k < length(name) THEN substr(name, k, 2) ELSE substr(name, k, 1) END, id FROM pos;"
  print "COMMIT;"
}
