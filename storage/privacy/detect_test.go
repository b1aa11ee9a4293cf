package privacy

import (
	"testing"
	"time"
)

var now = time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)

func TestDetectors(t *testing.T) {
	for _, c := range []struct {
		name string
		fn   func(string) bool
		yes  []string
		no   []string
	}{
		{"email", IsEmail,
			[]string{"li.wei@example.com", "a+b@mail.co.uk", "王@x"[:0] + "zhang_san99@qq.com"},
			[]string{"", "li.wei@", "@example.com", "a@b", "a@@b.com", "a b@c.com", "x..y@a.com", "SKU-1234", "2024-05-01"}},
		{"chinese id", IsChineseID,
			[]string{"11010519491231002X", "11010519491231002x", "440524188001010014"[:0] + "110101199003077897"},
			[]string{"110105194912310021", "123456789012345678", "11010519491331002X", "99010519491231002X", "1101051949123100", "110105300012310021"}},
		{"card", IsCard,
			[]string{"4111111111111111", "4111 1111 1111 1111", "5555555555554444", "378282246310005", "6011111111111117", "3530111333300000", "6212345678901232", "2223003122003222"},
			[]string{"4111111111111112", "1234567812345678", "0000000000000000", "9111111111111110", "411111111111", "4111-1111-1111-111x", "37828224631000"}},
		{"iban", IsIBAN,
			[]string{"GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000", "FR1420041010050500013M02606", "NL91ABNA0417164300"},
			[]string{"GB82WEST12345698765433", "GB82WEST1234569876543", "XX82WEST12345698765432", "DE89 3704 0044 0532 0130 01", "ABCDEFGHIJKLMNOP"}},
		{"ip", IsIP,
			[]string{"192.168.1.20", "8.8.8.8", "2001:db8::1", "fe80::1ff:fe23:4567:890a"},
			[]string{"1.2.3", "256.1.1.1", "01.2.3.4", "19.99", "2024-05-01", "abc", "1.2.3.4.5"}},
		{"address", IsAddress,
			[]string{"221B Baker Street, London NW1 6XE", "350 Fifth Ave, New York", "北京市朝阳区建国路88号", "上海市黄浦区南京东路100号", "广东省深圳市南山区科技园", "中山路12号3栋"},
			[]string{"Street lamp", "Blue T-shirt size M", "北京", "上海市", "SKU-1234", "12 pack", "Ave Maria"}},
	} {
		for _, s := range c.yes {
			if !c.fn(s) {
				t.Errorf("%s: %q not detected", c.name, s)
			}
		}
		for _, s := range c.no {
			if c.fn(s) {
				t.Errorf("%s: %q wrongly detected", c.name, s)
			}
		}
	}
}

func TestPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13812345678":       "+8613812345678",
		"138 1234 5678":     "+8613812345678",
		"+86 139-1234-5678": "+8613912345678",
		"+44 20 7946 0018":  "+442079460018",
		"0044 20 7946 0018": "+442079460018",
		"(415) 555-2671":    "+14155552671",
		"415-555-2671":      "+14155552671",
		"06 77 70 72 42":    "+33677707242",
		"07651 578890":      "+447651578890",
		"151-4369-9511":     "+8615143699511",
	} {
		if got, _, ok := Phone(in); !ok || got != want {
			t.Errorf("Phone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "12345678901", "4111111111111111", "2024-05-01", "19.99", "1.2.3.4", "SKU-1234", "4155552671", "20240501", "110105194912310021", "+86 10 1234 5678", "1234", "0123", "01 23", "2024 01 01", "007"} {
		if got, _, ok := Phone(in); ok {
			t.Errorf("Phone(%q) = %q; want no phone", in, got)
		}
	}
}

func TestBirthDate(t *testing.T) {
	for _, s := range []string{"1990-05-17", "1949/12/31", "19800101", "1990-05-17 00:00:00", "2001年3月9日"} {
		if !IsBirthDate(s, now) {
			t.Errorf("%q not a birth date", s)
		}
	}
	for _, s := range []string{"1890-01-01", "2027-01-01", "yesterday", "17", "1990-13-01"} {
		if IsBirthDate(s, now) {
			t.Errorf("%q taken for a birth date", s)
		}
	}
	for col, want := range map[string]bool{"birth_date": true, "DOB": true, "生日": true, "出生日期": true, "Date of Birth": true, "order_date": false, "date": false} {
		if BirthColumn(col) != want {
			t.Errorf("BirthColumn(%q) = %v", col, !want)
		}
	}
}

// A date of birth needs its column's name; an IP address in a version
// column is a version; a Gansu ID passing Luhn is an ID, not a card.
func TestDetectValueContext(t *testing.T) {
	kinds := func(col, v string) []Kind {
		var out []Kind
		for _, m := range DetectValue(col, v, now) {
			out = append(out, m.Kind)
		}
		return out
	}
	if k := kinds("dob", "1990-05-17"); len(k) != 1 || k[0] != KindBirthDate {
		t.Errorf("dob: %v", k)
	}
	if k := kinds("order_date", "1990-05-17"); len(k) != 0 {
		t.Errorf("order_date: %v", k)
	}
	if k := kinds("version", "1.2.3.4"); len(k) != 0 {
		t.Errorf("version: %v", k)
	}
	if k := kinds("ip", "1.2.3.4"); len(k) != 1 || k[0] != KindIP {
		t.Errorf("ip: %v", k)
	}
	if k := kinds("x", "11010519491231002X"); len(k) != 1 || k[0] != KindNationalID {
		t.Errorf("id: %v", k)
	}
	for col, want := range map[string]Kind{"first_name": KindName, "姓名": KindName, "收货地址": KindAddress, "出生日期": KindBirthDate, "product_name": "", "order_date": ""} {
		if got, _ := NameKind(col); got != want {
			t.Errorf("NameKind(%q) = %q; want %q", col, got, want)
		}
	}
}
