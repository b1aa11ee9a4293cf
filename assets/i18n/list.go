package i18n

// List writes items as a list in words: "A, B and C" in English, "A、B和C"
// in Chinese. No items give "".
func List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	head := items[0]
	for _, it := range items[1 : len(items)-1] {
		head = T("%s, %s", head, it)
	}
	return T("%s and %s", head, items[len(items)-1])
}
