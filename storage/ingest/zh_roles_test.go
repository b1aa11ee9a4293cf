package ingest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// idWithCheck completes 17 digits of a resident ID with its check character.
func idWithCheck(d17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range d17 {
		sum += int(c-'0') * w[i]
	}
	return d17 + string("10X98765432"[sum%11])
}

// Chinese exports: mobile numbers in several spellings, resident ID numbers,
// dates written 2024年3月15日 and 2024/3/15, amounts ¥1,234.50 and 1.2万.
func TestChineseRoles(t *testing.T) {
	phones := []string{"13812345678", "+86 139 1234 5678", "150-1234-5678", "+8613712345678", "186 1234 5678", "+86-177-1234-5678"}
	amounts := []string{"¥1,234.50", "1.2万", "￥88", "99.5元", "¥ 12", "0.5万"}
	wantSum := 1234.50 + 12000 + 88 + 99.5 + 12 + 5000
	if idWithCheck("11010519491231002") != "11010519491231002X" {
		t.Fatal("check digit helper is wrong")
	}
	var b strings.Builder
	b.WriteString("订单号,姓名,联系方式,证件,下单日期,登记日期,金额,备注号,备用\n")
	for i := 0; i < 12; i++ {
		id := idWithCheck(fmt.Sprintf("1101051990%02d%02d%03d", i%12+1, i+1, 100+i))
		// Eighteen digits whose check digit is wrong are no ID numbers.
		bad := id[:17] + string("0123456789"[(strings.IndexByte("0123456789X", id[17])+1)%10])
		if bad == id {
			bad = id[:17] + "5"
		}
		fmt.Fprintf(&b, "A%03d,%s,%s,%s,2024年%d月%d日,2023/%d/%d,%q,%s,1%d%d12345678\n", i+1, zhNames[i%10], phones[i%len(phones)], id,
			i%12+1, i+1, i%12+1, 10+i, amounts[i%len(amounts)], bad, 3+i%7, i%10)
	}
	for _, enc := range []string{"utf-8", "gb18030"} {
		t.Run(enc, func(t *testing.T) {
			data := []byte(b.String())
			if enc == "gb18030" {
				// GBK has no ¥ (U+00A5); GB18030 has every character.
				var err error
				if data, err = simplifiedchinese.GB18030.NewEncoder().Bytes(data); err != nil {
					t.Fatal(err)
				}
			}
			p := newProject(t)
			path := write(t, "zh_orders.csv", data)
			res := mustImport(t, p, path, Options{})
			types := map[string]string{}
			for _, c := range res.Columns {
				types[c.Name] = c.Type
			}
			want := map[string]storage.Role{"订单号": storage.OrderID, "姓名": storage.FullName, "联系方式": storage.Phone,
				"证件": storage.NationalID, "下单日期": storage.OrderDate, "金额": storage.Amount}
			for col, r := range want {
				if res.Roles[col] != r {
					t.Errorf("%s: role %q, want %q (type %s)", col, res.Roles[col], r, types[col])
				}
			}
			if r, ok := res.Roles["备注号"]; ok {
				t.Errorf("18 digits with a wrong check digit got role %s", r)
			}
			if types["联系方式"] != "VARCHAR" || types["下单日期"] != "DATE" || types["登记日期"] != "DATE" || types["金额"] != "DOUBLE" || types["备用"] != "VARCHAR" {
				t.Errorf("types %v", types)
			}
			var sum float64
			var d string
			if err := p.DB().QueryRow(`SELECT sum(金额) / 2, max(下单日期)::VARCHAR FROM zh_orders`).Scan(&sum, &d); err != nil {
				t.Fatal(err)
			}
			if math.Abs(sum-wantSum) > 1e-6 || d != "2024-12-12" {
				t.Errorf("sum %v (want %v), last date %s", sum, wantSum, d)
			}
			var phone string
			if err := p.DB().QueryRow(`SELECT 联系方式 FROM zh_orders WHERE 订单号 = 'A002'`).Scan(&phone); err != nil || phone != "+86 139 1234 5678" {
				t.Errorf("phone %q %v", phone, err)
			}
		})
	}
}
