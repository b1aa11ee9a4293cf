package consent

import (
	"strings"
	"time"

	"github.com/marketbench/marketbench/assets/i18n"
	"github.com/marketbench/marketbench/storage"
)

// FileOptions say how to read a consent file's columns. Empty column names
// are found by the header's names.
type FileOptions struct {
	Source        string       // where the records come from (required)
	Channel       storage.Role // the channel of every row, when the file has no channel column
	KeyColumn     string       // customer id, e-mail or phone column
	ChannelColumn string
	GrantedColumn string
	AtColumn      string
	ProofColumn   string
	// DefaultAt is the time of rows without one (the file's modification
	// time, so importing the same file again finds the same events).
	DefaultAt time.Time
}

// Columns names the columns a consent file was read by.
type Columns struct {
	Key, KeyKind, Channel, Granted, At, Proof string
}

var (
	channelNames = []string{"channel", "consentchannel", "type", "渠道", "通道", "类型"}
	grantedNames = []string{"granted", "consent", "consented", "optin", "status", "subscribed", "value", "同意", "是否同意", "状态", "授权"}
	atNames      = []string{"at", "time", "date", "timestamp", "datetime", "consentat", "consentedat", "consentdate", "consenttime", "changedat", "时间", "日期", "同意时间"}
	proofNames   = []string{"proof", "evidence", "record", "proofurl", "证明", "凭证", "依据"}
)

func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if r != ' ' && r != '_' && r != '-' && r != '.' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pick finds a column: the named one (which must exist), else the first
// header with one of the names.
func pick(header []string, named, flag string, names []string) (int, error) {
	if named != "" {
		for i, h := range header {
			if h == named || norm(h) == norm(named) {
				return i, nil
			}
		}
		return -1, i18n.Errorf("the file has no column %q (%s); its columns are: %s", named, flag, strings.Join(header, ", "))
	}
	for _, n := range names {
		for i, h := range header {
			if norm(h) == n {
				return i, nil
			}
		}
	}
	return -1, nil
}

// FromRows turns a consent file's rows (header first, as read) into
// changes, naming each bad row by its line in the file (the header is
// line 1). It fails without changes when the file's columns cannot be
// worked out.
func FromRows(header []string, rows [][]string, d *Directory, opt FileOptions) ([]Change, []RowError, *Columns, error) {
	if strings.TrimSpace(opt.Source) == "" {
		return nil, nil, nil, i18n.Errorf("say where these consent records come from (--source), e.g. \"web form\" or \"import of signup.csv\"")
	}
	cols := &Columns{}
	key, kind := -1, ""
	if opt.KeyColumn != "" {
		i, err := pick(header, opt.KeyColumn, "--key-column", nil)
		if err != nil {
			return nil, nil, nil, err
		}
		key, kind = i, ByCustomer
		switch storage.RoleByName(header[i]) {
		case storage.Email:
			kind = ByEmail
		case storage.Phone:
			kind = ByPhone
		}
	} else {
		for _, want := range []struct {
			role storage.Role
			kind string
		}{{storage.CustomerID, ByCustomer}, {storage.Email, ByEmail}, {storage.Phone, ByPhone}} {
			for i, h := range header {
				if key < 0 && storage.RoleByName(h) == want.role {
					key, kind = i, want.kind
				}
			}
		}
	}
	if key < 0 {
		return nil, nil, nil, i18n.Errorf("the file has no customer id, e-mail or phone column; name it with --key-column (its columns are: %s)", strings.Join(header, ", "))
	}
	cols.Key, cols.KeyKind = header[key], kind
	chCol, err := pick(header, opt.ChannelColumn, "--channel-column", channelNames)
	if err != nil {
		return nil, nil, nil, err
	}
	gCol, err := pick(header, opt.GrantedColumn, "--granted-column", grantedNames)
	if err != nil {
		return nil, nil, nil, err
	}
	channel := opt.Channel
	if gCol < 0 {
		// A column named for one channel's consent ("email_consent",
		// "sms_opt_in", "订阅短信") says both the value and the channel.
		for i, h := range header {
			if r := storage.RoleByName(h); isChannel(r) && gCol < 0 {
				gCol = i
				if channel == "" && chCol < 0 {
					channel = r
				}
			}
		}
	}
	if gCol < 0 {
		return nil, nil, nil, i18n.Errorf("the file has no column saying whether consent was given; name it with --granted-column (its columns are: %s)", strings.Join(header, ", "))
	}
	cols.Granted = header[gCol]
	if chCol >= 0 && opt.Channel == "" {
		cols.Channel = header[chCol]
	} else {
		chCol = -1
		if channel == "" {
			return nil, nil, nil, i18n.Errorf("the file has no channel column; say which channel it is for with --channel email, sms, wechat or push")
		}
	}
	atCol, err := pick(header, opt.AtColumn, "--at-column", atNames)
	if err != nil {
		return nil, nil, nil, err
	}
	if atCol >= 0 {
		cols.At = header[atCol]
	}
	proofCol, err := pick(header, opt.ProofColumn, "--proof-column", proofNames)
	if err != nil {
		return nil, nil, nil, err
	}
	if proofCol >= 0 {
		cols.Proof = header[proofCol]
	}
	var out []Change
	var bad []RowError
	for i, row := range rows {
		line := i + 2
		get := func(c int) string {
			if c < 0 || c >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[c])
		}
		c := Change{Row: line, Channel: channel, Source: opt.Source, Proof: get(proofCol), At: opt.DefaultAt}
		var why string
		if id, w := d.Find(kind, get(key)); w != "" {
			why = w
		} else {
			c.CustomerID = id
		}
		if why == "" && chCol >= 0 {
			ch, err := ParseChannel(get(chCol))
			if err != nil {
				why = err.Error()
			}
			c.Channel = ch
		}
		if why == "" {
			g, err := ParseGranted(get(gCol))
			if err != nil {
				why = err.Error()
			}
			c.Granted = g
		}
		if why == "" && atCol >= 0 {
			at, err := ParseTime(get(atCol))
			if err != nil {
				why = err.Error()
			}
			c.At = at
		}
		if why != "" {
			bad = append(bad, RowError{Row: line, Reason: why})
			continue
		}
		out = append(out, c)
	}
	return out, bad, cols, nil
}

var timeLayouts = []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02",
	"2006/01/02 15:04:05", "2006/01/02 15:04", "2006/01/02", "2006/1/2 15:04", "2006/1/2", "2006-1-2", "2006年1月2日", "2006.01.02"}

// ParseTime reads a consent time; one without a zone is in local time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, i18n.Errorf("no time")
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, time.Local); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, i18n.Errorf("%q is not a time; write it like 2026-11-03 14:05 or 2026-11-03", clip(s))
}
