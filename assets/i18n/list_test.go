package i18n

import "testing"

func TestList(t *testing.T) {
	defer Use(English)
	for _, tc := range []struct {
		lang  string
		items []string
		want  string
	}{
		{English, nil, ""},
		{English, []string{"A"}, "A"},
		{English, []string{"A", "B"}, "A and B"},
		{English, []string{"A", "B", "C"}, "A, B and C"},
		{English, []string{"50% off", "B%s", "C"}, "50% off, B%s and C"},
		{Chinese, []string{"A"}, "A"},
		{Chinese, []string{"A", "B"}, "A和B"},
		{Chinese, []string{"茶杯", "茶壶", "茶叶", "托盘"}, "茶杯、茶壶、茶叶和托盘"},
	} {
		Use(tc.lang)
		if got := List(tc.items); got != tc.want {
			t.Errorf("%s %q: %q, want %q", tc.lang, tc.items, got, tc.want)
		}
	}
}
