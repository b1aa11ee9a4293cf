package text

// The stop lists are short on purpose: only function words that carry no
// topic or sentiment. They serve keywords, not the sentiment models, which
// keep every word. Negations ("not", "no", "never", 不, 没) are absent
// because dropping them flips the meaning of a review.

var stopEN = set([]string{
	"a", "about", "an", "and", "are", "as", "at", "be", "been", "being",
	"but", "by", "can", "could", "did", "do", "does", "for", "from", "had",
	"has", "have", "he", "her", "here", "him", "his", "how", "i", "i'm",
	"if", "in", "into", "is", "it", "it's", "its", "just", "me", "my",
	"of", "on", "or", "our", "she", "so", "than", "that", "the", "their",
	"them", "then", "there", "these", "they", "this", "those", "to", "too",
	"us", "was", "we", "were", "what", "when", "where", "which", "who",
	"will", "with", "would", "you", "your",
})

var stopZH = set([]string{
	"的", "了", "是", "在", "和", "与", "及", "就", "都", "也", "还",
	"而", "或", "被", "把", "给", "对", "从", "向", "这", "那", "之",
	"其", "吗", "呢", "吧", "啊", "呀", "么", "个", "着", "过",
	"我", "你", "他", "她", "它", "我们", "你们", "他们", "她们", "它们",
	"这个", "那个", "这些", "那些", "一个", "因为", "所以", "但是", "而且",
	"然后", "如果", "虽然", "还是", "就是", "已经", "可以", "什么",
	// Words that only a segmenter yields as tokens: degree and linking
	// words that would otherwise top every group's keywords.
	"非常", "比较", "有点", "一下", "一些", "有些", "自己", "这样", "那样",
	"怎么", "这里", "那里", "还有", "以及", "或者", "并且", "不过", "只是",
	"而已", "的话", "时候", "感觉", "觉得", "东西", "真的", "一点", "一样",
})

func set(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
