package aliyun

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxParamLength is the documented length limit of a template variable's
// value in notification and promotional templates.
const MaxParamLength = 35

var varRE = regexp.MustCompile(`\$\{([^}]*)\}`)

// business answers HTTP 200 with a business error code, as SendSms does.
func (s *Server) business(w http.ResponseWriter, code, message string) {
	answer(w, http.StatusOK, map[string]string{"RequestId": s.requestID(), "Code": code, "Message": message})
}

func (s *Server) missing(w http.ResponseWriter, p url.Values, names ...string) bool {
	for _, n := range names {
		if strings.TrimSpace(p.Get(n)) == "" {
			s.gatewayError(w, http.StatusBadRequest, "Missing"+n, n+" is mandatory for this action.")
			return true
		}
	}
	return false
}

// validNumber applies the documented PhoneNumbers format: a mainland
// mobile with or without +, +86, 0086 or 86 in front, or an international
// number as dialing code + number, digits only.
func validNumber(n string) bool {
	for _, prefix := range []string{"+86", "0086", "86", "+"} {
		if rest, ok := strings.CutPrefix(n, prefix); ok && chinaMobile(rest) {
			return true
		}
	}
	if chinaMobile(n) {
		return true
	}
	if len(n) < 8 || len(n) > 15 || n[0] == '0' || strings.HasPrefix(n, "86") {
		return false
	}
	return digits(n)
}

func chinaMobile(n string) bool {
	return len(n) == 11 && n[0] == '1' && n[1] >= '3' && n[1] <= '9' && digits(n)
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func (s *Server) sendSms(w http.ResponseWriter, p url.Values, now time.Time) {
	if s.missing(w, p, "PhoneNumbers", "SignName", "TemplateCode") {
		return
	}
	phones := strings.Split(p.Get("PhoneNumbers"), ",")
	if len(phones) > 1000 {
		s.business(w, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制")
		return
	}
	s.mu.Lock()
	var injected *bizError
	if len(s.failNext) > 0 {
		injected = &s.failNext[0]
		s.failNext = s.failNext[1:]
	}
	content, tplOK := s.templates[p.Get("TemplateCode")]
	signOK := false
	for _, n := range s.signs {
		signOK = signOK || n == p.Get("SignName")
	}
	s.mu.Unlock()
	if injected != nil {
		s.business(w, injected.code, injected.message)
		return
	}
	if !signOK {
		s.business(w, "isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)")
		return
	}
	if !tplOK {
		s.business(w, "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
		return
	}
	params := map[string]string{}
	if tp := p.Get("TemplateParam"); tp != "" {
		var raw map[string]any
		if err := json.Unmarshal([]byte(tp), &raw); err != nil {
			s.business(w, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
			return
		}
		for k, v := range raw {
			str, ok := v.(string)
			if !ok {
				s.business(w, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
				return
			}
			params[k] = str
		}
	}
	for _, m := range varRE.FindAllStringSubmatch(content, -1) {
		v, ok := params[m[1]]
		if !ok || v == "" {
			s.business(w, "isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值")
			return
		}
		if utf8.RuneCountInString(v) > MaxParamLength {
			s.business(w, "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ph := range phones {
		if !validNumber(ph) || s.illegal[ph] {
			s.seq++
			answer(w, http.StatusOK, map[string]string{"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号",
				"RequestId": fmt.Sprintf("F655A8D5-B967-440B-8683-%012X", s.seq)})
			return
		}
	}
	s.seq++
	biz := fmt.Sprintf("%d%06d^0", now.Unix(), s.seq)
	for _, ph := range phones {
		s.sent = append(s.sent, Sent{Phone: ph, SignName: p.Get("SignName"), TemplateCode: p.Get("TemplateCode"),
			Params: params, OutID: p.Get("OutId"), BizID: biz, At: now})
	}
	answer(w, http.StatusOK, map[string]string{"Code": "OK", "Message": "OK", "BizId": biz,
		"RequestId": fmt.Sprintf("F655A8D5-B967-440B-8683-%012X", s.seq)})
}

// render fills a template's variables; the sign comes first in 【】.
func render(sign, content string, params map[string]string) string {
	return "【" + sign + "】" + varRE.ReplaceAllStringFunc(content, func(v string) string { return params[v[2:len(v)-1]] })
}

type detailDTO struct {
	PhoneNum     string
	SendStatus   int
	ErrCode      string
	TemplateCode string
	Content      string
	SendDate     string
	ReceiveDate  string
	OutId        string
}

func (s *Server) querySendDetails(w http.ResponseWriter, p url.Values, now time.Time) {
	if s.missing(w, p, "PhoneNumber", "SendDate", "PageSize", "CurrentPage") {
		return
	}
	day, err := time.ParseInLocation("20060102", p.Get("SendDate"), China)
	size, err2 := strconv.Atoi(p.Get("PageSize"))
	page, err3 := strconv.Atoi(p.Get("CurrentPage"))
	if err != nil || err2 != nil || err3 != nil || size < 1 || size > 50 || page < 1 || now.Sub(day) > 31*24*time.Hour {
		s.business(w, "isv.INVALID_PARAMETERS", "参数异常")
		return
	}
	s.mu.Lock()
	all := []detailDTO{}
	for _, m := range s.sent {
		at := m.At.In(China)
		if m.Phone != p.Get("PhoneNumber") || at.Format("20060102") != p.Get("SendDate") || (p.Get("BizId") != "" && p.Get("BizId") != m.BizID) {
			continue
		}
		rc, ok := s.receipts[m.BizID]
		if !ok {
			rc = receipt{StatusDelivered, "DELIVERED"}
		}
		d := detailDTO{PhoneNum: m.Phone, SendStatus: rc.status, ErrCode: rc.errCode, TemplateCode: m.TemplateCode,
			Content: render(m.SignName, s.templates[m.TemplateCode], m.Params), SendDate: at.Format("2006-01-02 15:04:05"), OutId: m.OutID}
		if rc.status != StatusWaiting {
			d.ReceiveDate = at.Add(2 * time.Second).Format("2006-01-02 15:04:05")
		}
		all = append(all, d)
	}
	s.mu.Unlock()
	from, to := min(len(all), (page-1)*size), min(len(all), page*size)
	answer(w, http.StatusOK, map[string]any{"Code": "OK", "Message": "OK", "RequestId": s.requestID(), "TotalCount": len(all),
		"SmsSendDetailDTOs": map[string]any{"SmsSendDetailDTO": all[from:to]}})
}

func (s *Server) querySmsSign(w http.ResponseWriter, p url.Values) {
	if s.missing(w, p, "SignName") {
		return
	}
	s.mu.Lock()
	found := false
	for _, n := range s.signs {
		found = found || n == p.Get("SignName")
	}
	s.mu.Unlock()
	if !found {
		s.business(w, "isv.SMS_SIGNATURE_ILLEGAL", "签名不合法(不存在或被拉黑)")
		return
	}
	answer(w, http.StatusOK, map[string]any{"RequestId": s.requestID(), "Code": "OK", "Message": "OK", "SignName": p.Get("SignName"),
		"SignStatus": 1, "Reason": "", "CreateDate": "2019-01-08 16:44:13"})
}

func (s *Server) querySmsTemplate(w http.ResponseWriter, p url.Values) {
	if s.missing(w, p, "TemplateCode") {
		return
	}
	s.mu.Lock()
	content, ok := s.templates[p.Get("TemplateCode")]
	s.mu.Unlock()
	if !ok {
		s.business(w, "isv.SMS_TEMPLATE_ILLEGAL", "模板不合法(不存在或被拉黑)")
		return
	}
	answer(w, http.StatusOK, map[string]any{"RequestId": s.requestID(), "Code": "OK", "Message": "OK", "TemplateCode": p.Get("TemplateCode"),
		"TemplateStatus": 1, "TemplateType": 1, "TemplateName": "marketbench", "TemplateContent": content, "Reason": "", "CreateDate": "2019-01-08 16:44:13"})
}
