package storage

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/marketbench/marketbench/assets/i18n"
)

// Role is what a column means. Features find their inputs by role, never by
// column name.
type Role string

// The roles a column can have. None means "no special meaning".
const (
	None         Role = ""
	CustomerID   Role = "customer_id"
	Email        Role = "email"
	Phone        Role = "phone"
	NationalID   Role = "national_id" // a resident identity card number: personal data
	FirstName    Role = "first_name"
	LastName     Role = "last_name"
	FullName     Role = "full_name"
	Region       Role = "region" // province, state or region (省份)
	City         Role = "city"
	TimeZone     Role = "time_zone" // an IANA name ("Asia/Shanghai") or an offset ("+08:00"), for quiet hours
	EmailConsent Role = "email_consent"
	SMSConsent   Role = "sms_consent"
	// WeChatOpenID is a follower's openid for an Official Account: the
	// address of WeChat template messages; WeChatFollower says whether
	// they still follow it (the consent for that channel).
	WeChatOpenID   Role = "wechat_openid"
	WeChatFollower Role = "wechat_follower"
	// PushToken is a mobile app's device registration token; PushOptIn is
	// the app user's permission for marketing notifications.
	PushToken   Role = "push_token"
	PushOptIn   Role = "push_opt_in"
	OrderID     Role = "order_id"
	OrderDate   Role = "order_date"
	Amount      Role = "amount"
	Quantity    Role = "quantity"
	UnitPrice   Role = "unit_price"
	ProductID   Role = "product_id"
	ProductName Role = "product_name"
	Category    Role = "category"
	Text        Role = "text"
)

// Roles lists every role in the order the GUI offers them.
var Roles = []Role{CustomerID, Email, Phone, NationalID, FirstName, LastName, FullName, Region, City, TimeZone, EmailConsent, SMSConsent,
	WeChatOpenID, WeChatFollower, PushToken, PushOptIn, OrderID, OrderDate, Amount, Quantity, UnitPrice, ProductID, ProductName, Category, Text}

// ParseRole accepts a role name as the CLI user types it ("none" clears).
func ParseRole(s string) (Role, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "none" || s == "" {
		return None, nil
	}
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return None, i18n.Errorf("unknown role %q; choose one of: none, %s", s, strings.Join(names, ", "))
}

// roleNames maps normalised column names (lower case, no spaces, _ or -) in
// English and Chinese to roles. Order matters only within detectByName.
var roleNames = map[Role][]string{
	CustomerID:     {"customerid", "custid", "clientid", "memberid", "userid", "customerno", "customernumber", "customer", "客户id", "客户编号", "会员id", "会员编号", "用户id", "顾客id", "客户号"},
	Email:          {"email", "emailaddress", "mail", "e-mail", "邮箱", "电子邮件", "电子邮箱", "邮件地址"},
	Phone:          {"phone", "phonenumber", "mobile", "mobilephone", "tel", "telephone", "cell", "cellphone", "电话", "手机", "手机号", "手机号码", "联系电话"},
	NationalID:     {"nationalid", "idcard", "idcardno", "idcardnumber", "idnumber", "residentid", "身份证", "身份证号", "身份证号码", "证件号", "证件号码", "身份证件号码"},
	FirstName:      {"firstname", "givenname", "forename", "名"},
	LastName:       {"lastname", "surname", "familyname", "姓"},
	FullName:       {"name", "fullname", "customername", "clientname", "姓名", "客户名称", "客户姓名", "名字"},
	Region:         {"region", "province", "state", "stateprovince", "provincestate", "billingprovince", "shippingprovince", "省", "省份", "地区", "区域", "所在省份", "所在地区", "收货省份", "省/直辖市", "省/自治区/直辖市"},
	City:           {"city", "town", "billingcity", "shippingcity", "城市", "市", "所在城市", "收货城市", "城市名称"},
	TimeZone:       {"timezone", "tz", "tzname", "customertimezone", "时区", "所在时区"},
	EmailConsent:   {"emailconsent", "emailoptin", "acceptsemailmarketing", "newsletter", "emailsubscribed", "subscribed", "邮件同意", "订阅邮件"},
	SMSConsent:     {"smsconsent", "smsoptin", "acceptssmsmarketing", "smssubscribed", "短信同意", "订阅短信"},
	WeChatOpenID:   {"openid", "wechatopenid", "wxopenid", "weixinopenid", "微信openid", "公众号openid"},
	WeChatFollower: {"wechatfollower", "wechatsubscribed", "subscribewechat", "isfollower", "follower", "关注公众号", "是否关注", "已关注"},
	PushToken:      {"pushtoken", "devicetoken", "fcmtoken", "registrationtoken", "apnstoken", "推送令牌", "设备令牌"},
	PushOptIn:      {"pushoptin", "pushconsent", "pushenabled", "notificationsenabled", "acceptspush", "推送同意", "允许推送"},
	OrderID:        {"orderid", "orderno", "ordernumber", "invoiceno", "invoice", "invoiceid", "transactionid", "订单号", "订单id", "订单编号"},
	OrderDate:      {"orderdate", "invoicedate", "purchasedate", "transactiondate", "orderedat", "createdat", "date", "下单时间", "订单日期", "下单日期", "购买日期", "日期", "订单时间"},
	Amount:         {"amount", "total", "ordertotal", "totalamount", "revenue", "sales", "totalprice", "ordervalue", "金额", "订单金额", "总价", "销售额", "实付金额", "总金额"},
	Quantity:       {"quantity", "qty", "units", "数量", "购买数量"},
	UnitPrice:      {"unitprice", "price", "单价", "价格"},
	ProductID:      {"productid", "stockcode", "sku", "itemid", "productcode", "商品id", "商品编号", "产品编号"},
	ProductName:    {"productname", "description", "product", "item", "itemname", "商品名称", "商品", "产品名称", "产品"},
	Category:       {"category", "productcategory", "类别", "分类", "品类", "类目"},
	Text:           {"review", "reviewtext", "comment", "comments", "feedback", "text", "评论", "评价", "内容", "留言"},
}

func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r == ' ' || r == '_' || r == '-' || r == '.' {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func roleByName(col string) Role {
	n := normName(col)
	for _, r := range Roles {
		for _, want := range roleNames[r] {
			if n == want {
				return r
			}
		}
	}
	return None
}

var (
	emailRe = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	phoneRe = regexp.MustCompile(`^\+?[0-9][0-9 ()./-]{5,18}[0-9]$`)
)

// DetectRoles proposes a role per column from its name (English or Chinese)
// and, where the name says nothing, from a sample of its values. Each role
// except Text is given to at most one column.
func (p *Project) DetectRoles(ctx context.Context, table string) (map[string]Role, error) {
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return nil, err
	}
	return p.DetectRolesIn(ctx, Quote(table), cols)
}

// DetectRolesIn is DetectRoles for any relation (a quoted table or a
// parenthesised SELECT), so an import preview can propose roles before
// anything is written.
func (p *Project) DetectRolesIn(ctx context.Context, relation string, cols []Column) (map[string]Role, error) {
	out := map[string]Role{}
	taken := map[Role]bool{}
	give := func(col string, r Role) {
		if r == None || (taken[r] && r != Text) {
			return
		}
		if _, done := out[col]; done {
			return
		}
		out[col] = r
		taken[r] = true
	}
	for _, c := range cols {
		r := roleByName(c.Name)
		// A name match must fit the content type: "date" holding text is no date.
		if r == OrderDate && !c.IsTemporal() && !strings.Contains(strings.ToUpper(c.Type), "VARCHAR") {
			r = None
		}
		if (r == Amount || r == Quantity || r == UnitPrice) && !c.IsNumeric() {
			r = None
		}
		// A "state" of 0/1 or a numbered region is a code, not a place; a
		// time zone is a name or an offset written as text.
		if (r == Region || r == City || r == TimeZone) && !strings.HasPrefix(strings.ToUpper(c.Type), "VARCHAR") {
			r = None
		}
		give(c.Name, r)
	}
	for _, c := range cols {
		if _, done := out[c.Name]; done {
			continue
		}
		r, err := p.roleByContent(ctx, relation, c)
		if err != nil {
			return nil, err
		}
		// A date column is an order date only in a table that looks like
		// orders; a customer table's signup date is not one.
		if r == OrderDate && !taken[OrderID] && !taken[Amount] && !taken[Quantity] {
			r = None
		}
		give(c.Name, r)
	}
	for col, r := range out {
		if r == None {
			delete(out, col)
		}
	}
	return out, nil
}

func (p *Project) roleByContent(ctx context.Context, relation string, c Column) (Role, error) {
	if c.IsTemporal() {
		return OrderDate, nil
	}
	if !strings.HasPrefix(strings.ToUpper(c.Type), "VARCHAR") {
		return None, nil
	}
	rows, err := p.q.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %s WHERE %s IS NOT NULL AND trim(%s) <> '' LIMIT 200`,
		Quote(c.Name), relation, Quote(c.Name), Quote(c.Name)))
	if err != nil {
		return None, err
	}
	defer rows.Close()
	var n, emails, phones, ids, long, provinces, cities int
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return None, err
		}
		v = strings.TrimSpace(v)
		n++
		if emailRe.MatchString(v) {
			emails++
		}
		if ValidResidentID(v) {
			ids++
		}
		if phoneRe.MatchString(v) && countDigits(v) >= 7 {
			phones++
		}
		if len([]rune(v)) > 40 && strings.Count(v, " ") >= 5 || isCJKSentence(v) {
			long++
		}
		if _, ok := ChineseProvince(v); ok {
			provinces++
		}
		if _, ok := ChineseCity(v); ok {
			cities++
		}
	}
	switch {
	case n == 0:
		return None, rows.Err()
	case emails*10 >= n*8:
		return Email, nil
	case ids*10 >= n*8:
		return NationalID, nil
	case phones*10 >= n*8:
		return Phone, nil
	// 北京, 上海, 天津 and 重庆 are both; a column of them alone is taken
	// for regions.
	case provinces*10 >= n*8 && provinces >= cities:
		return Region, nil
	case cities*10 >= n*8:
		return City, nil
	case long*10 >= n*5:
		return Text, nil
	}
	return None, rows.Err()
}

// ValidResidentID reports whether s is a Chinese resident identity card
// number: 18 characters whose last (a digit or X) is the ISO 7064 MOD 11-2
// check of the first 17 digits, or a first-generation 15-digit number (6
// digits of area, a YYMMDD birth date in the 1900s, 3 of sequence). The old
// form has no check digit, so its area must start with a real province
// code and its date must exist.
func ValidResidentID(s string) bool {
	if len(s) == 15 {
		return validOldResidentID(s)
	}
	if len(s) != 18 || s[0] == '0' {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
		sum += int(s[i]-'0') * weights[i]
	}
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	return last == "10X98765432"[sum%11]
}

// provinceCodes are the first two digits of mainland area codes (GB/T 2260).
var provinceCodes = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true, "61": true, "62": true, "63": true, "64": true, "65": true,
}

func validOldResidentID(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	if !provinceCodes[s[:2]] {
		return false
	}
	num := func(a, b int) int {
		n := 0
		for _, c := range s[a:b] {
			n = 10*n + int(c-'0')
		}
		return n
	}
	y, m, d := 1900+num(6, 8), num(8, 10), num(10, 12)
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	// time.Date would normalise 02-30 to 03-02; a real date survives.
	return d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func countDigits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

func isCJKSentence(s string) bool {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			n++
		}
	}
	return n >= 15
}

// SetRoles stores roles for a table's columns; a None role removes the entry.
func (p *Project) SetRoles(ctx context.Context, table string, roles map[string]Role, confirmed bool) error {
	cols, err := p.Columns(ctx, table)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, c := range cols {
		known[c.Name] = true
	}
	owner := map[Role]string{}
	names := make([]string, 0, len(roles))
	for col, r := range roles {
		if !known[col] {
			return i18n.Errorf("%q has no column %q", table, col)
		}
		if prev, dup := owner[r]; dup && r != None && r != Text {
			a, b := min(prev, col), max(prev, col)
			return i18n.Errorf("columns %q and %q are both given the role %s; a role (other than text) belongs to one column", a, b, r)
		}
		owner[r] = col
		names = append(names, col)
	}
	sort.Strings(names) // a stable order of statements
	return p.Tx(ctx, func(tx *Tx) error {
		// Roles of columns the table no longer has go first.
		if _, err := tx.ExecContext(ctx, `DELETE FROM mb_column_roles WHERE table_name = ? AND column_name NOT IN
			(SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ?)`, table, table); err != nil {
			return err
		}
		for _, col := range names {
			r := roles[col]
			if _, err := tx.ExecContext(ctx, `DELETE FROM mb_column_roles WHERE table_name = ? AND column_name = ?`, table, col); err != nil {
				return err
			}
			if r == None {
				continue
			}
			if r != Text {
				// The role moves here from any other column that had it.
				if _, err := tx.ExecContext(ctx, `DELETE FROM mb_column_roles WHERE table_name = ? AND role = ?`, table, string(r)); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO mb_column_roles VALUES (?, ?, ?, ?)`, table, col, string(r), confirmed); err != nil {
				return err
			}
		}
		return nil
	})
}

// ColumnRoles returns the stored roles of a table, by column.
func (p *Project) ColumnRoles(ctx context.Context, table string) (map[string]Role, error) {
	rows, err := p.q.QueryContext(ctx, `SELECT column_name, role FROM mb_column_roles WHERE table_name = ?`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Role{}
	for rows.Next() {
		var c, r string
		if err := rows.Scan(&c, &r); err != nil {
			return nil, err
		}
		out[c] = Role(r)
	}
	return out, rows.Err()
}

// ColumnFor finds the column of a table that has a role ("" if none).
func (p *Project) ColumnFor(ctx context.Context, table string, r Role) (string, error) {
	roles, err := p.ColumnRoles(ctx, table)
	if err != nil {
		return "", err
	}
	var cols []string
	for c, cr := range roles {
		if cr == r {
			cols = append(cols, c)
		}
	}
	sort.Strings(cols)
	if len(cols) == 0 {
		return "", nil
	}
	return cols[0], nil
}

// TablesWithRoles lists tables that have a column for every given role.
func (p *Project) TablesWithRoles(ctx context.Context, roles ...Role) ([]string, error) {
	tables, err := p.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range tables {
		have, err := p.ColumnRoles(ctx, t.Name)
		if err != nil {
			return nil, err
		}
		got := map[Role]bool{}
		for _, r := range have {
			got[r] = true
		}
		ok := true
		for _, r := range roles {
			ok = ok && got[r]
		}
		if ok {
			out = append(out, t.Name)
		}
	}
	return out, nil
}

// RoleByName is the role a column name suggests (None when it suggests
// none), from the English and Chinese names detection knows.
func RoleByName(col string) Role { return roleByName(col) }
