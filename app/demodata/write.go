package demodata

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"strconv"
	"time"
)

func cents(c int64) string {
	b := strconv.AppendInt(nil, c/100, 10)
	return string(append(b, '.', byte('0'+c%100/10), byte('0'+c%10)))
}

func (g *gen) date(day int) string {
	return g.start.AddDate(0, 0, day).Format(time.DateOnly)
}

func (g *gen) writeCustomers(w *csv.Writer) error {
	head := []string{"customer_id", "first_name", "last_name", "email", "phone",
		"city", g.m.regionCol, "signup_date", "email_consent", "sms_consent"}
	if g.m.wechat {
		head = append(head, "wechat_openid", "wechat_follower")
	}
	head = append(head, "push_token", "push_opt_in")
	w.Write(head)
	for i := range g.custs {
		c := &g.custs[i]
		rec := []string{c.id, c.first, c.last, c.email, c.phone, c.city,
			g.m.regions[c.country].name, g.date(c.signup),
			strconv.FormatBool(c.emailOK), strconv.FormatBool(c.smsOK)}
		if g.m.wechat {
			openid, follows := wechatOf(c.id)
			rec = append(rec, openid, strconv.FormatBool(follows))
		}
		token, optIn := pushOf(c.id)
		rec = append(rec, token, optIn)
		w.Write(rec)
	}
	return w.Error()
}

// pushOf is a customer's app device token (as Firebase issues them) and
// push consent: about half installed the app, and of those about 2 in 3
// allow marketing notifications. Like wechatOf, it leaves the generator's
// random stream alone.
func pushOf(id string) (token, optIn string) {
	h := sha256.Sum256([]byte("push:" + id))
	if h[30]%2 == 0 {
		return "", ""
	}
	var b []byte
	for sum := h; len(b) < 156; sum = sha256.Sum256(sum[:]) {
		b = base64.RawURLEncoding.AppendEncode(b, sum[:])
	}
	return string(b[:22]) + ":APA91b" + string(b[22:156]), strconv.FormatBool(h[31]%3 != 0)
}

// wechatOf is a customer's openid (28 characters, as WeChat's are) and
// whether they follow the Official Account (about 3 in 4). Both derive
// from the customer id, not the generator's random stream, so the rest of
// the data is the same with or without them.
func wechatOf(id string) (string, bool) {
	h := sha256.Sum256([]byte("wechat:" + id))
	return "o" + base64.RawURLEncoding.EncodeToString(h[:])[:27], h[31]%4 != 0
}

func (g *gen) writeProducts(w *csv.Writer) error {
	w.Write([]string{"product_id", "product_name", "category", "unit_price"})
	for i := range g.prods {
		p := &g.prods[i]
		w.Write([]string{p.id, p.name, g.m.categories[p.cat].name, cents(p.cents)})
	}
	return w.Error()
}

func (g *gen) writeOrders(w *csv.Writer) error {
	w.Write([]string{"order_id", "customer_id", "order_date", "product_id",
		"quantity", "unit_price", "amount", "channel"})
	rec := make([]string, 8)
	for i, o := range g.ords {
		p := &g.prods[o.prod]
		rec[0] = fmt.Sprintf("O%07d", i+1)
		rec[1] = g.custs[o.cust].id
		rec[2] = g.start.Add(time.Duration(o.sec) * time.Second).Format(time.DateTime)
		rec[3] = p.id
		rec[4] = strconv.Itoa(int(o.qty))
		rec[5] = cents(p.cents)
		rec[6] = cents(int64(o.qty) * p.cents)
		rec[7] = g.m.channels[o.ch]
		w.Write(rec)
	}
	return w.Error()
}

func (g *gen) writeReviews(w *csv.Writer) error {
	w.Write([]string{"review_id", "customer_id", "product_id", "review_date",
		"rating", "review_text"})
	for i, r := range g.revs {
		o := &g.ords[r.order]
		w.Write([]string{fmt.Sprintf("R%06d", i+1), g.custs[o.cust].id,
			g.prods[o.prod].id, g.date(r.day), strconv.Itoa(r.rating), r.text})
	}
	return w.Error()
}
