package demodata

import "strings"

// Chinese reviews follow the English structure (opener, aspects, closer)
// in the short, punctuated style of Taobao and JD reviews: the words that
// carry sentiment (好评, 差评, 物流快, 质量差) are the ones Chinese sentiment
// and keyword models learn from. "{n}" is the product noun.
var zhReviews = reviewWords{
	openers: [3][]string{
		negative: {
			"非常失望，这个{n}跟描述的完全不一样。",
			"{n}质量太差了，后悔买了。",
			"不太满意，感觉被坑了。",
			"第一次给差评，这个{n}真的不行。",
			"收到的{n}和图片差距很大。",
			"买来就后悔了，钱白花了。",
			"很失望，根本没法用。",
		},
		neutral: {
			"一般般吧。",
			"{n}还行，没什么特别的。",
			"中规中矩，凑合能用。",
			"东西收到了，说不上好也说不上坏。",
			"和预期差不多，普普通通。",
			"{n}马马虎虎，偶尔用一下还可以。",
		},
		positive: {
			"非常满意，{n}很好用！",
			"{n}做工精致，跟描述的一模一样。",
			"超级喜欢这个{n}！",
			"买来送人的，对方很喜欢。",
			"正是我想要的，很满意。",
			"第二次回购了，一如既往的好。",
			"宝贝收到了，比想象的还要好！",
		},
	},
	aspects: [3][numAspects][]string{
		negative: {
			aspDelivery: {
				"物流太慢了，等了快两个星期。",
				"快递盒子都压扁了，东西也摔坏了。",
				"发货特别慢，催了好几次才发。",
				"快递员直接扔在门口，也不打电话。",
				"过了承诺的时间才送到。",
			},
			aspPrice: {
				"价格偏贵，性价比太低。",
				"这个价格完全不值。",
				"别家同款便宜一半。",
				"刚买完就降价了，也不给保价。",
			},
			aspQuality: {
				"用了两次就坏了。",
				"做工粗糙，还有一股很重的异味。",
				"线头很多，一个星期就开线了。",
				"质量很差，和图片完全不符。",
				"材质很薄，一看就是便宜货。",
			},
		},
		neutral: {
			aspDelivery: {
				"物流速度一般，包装可以再好一点。",
				"按时送到了，这方面没问题。",
				"快递正常，三四天到的。",
			},
			aspPrice: {
				"价格还算合理，活动的时候更划算。",
				"不打折的话有点贵。",
			},
			aspQuality: {
				"质量对得起这个价格。",
				"细节处理得有点粗糙。",
				"颜色和图片有一点色差。",
			},
		},
		positive: {
			aspDelivery: {
				"物流超快，隔天就到了，包装也很严实。",
				"快递小哥服务很好，送货上门。",
				"发货速度快，第二天就收到了。",
				"顺丰发货，又快又稳。",
			},
			aspPrice: {
				"性价比很高，物超所值。",
				"价格实惠，比实体店便宜。",
				"活动价买的，太划算了。",
			},
			aspQuality: {
				"做工精细，质量非常好。",
				"用料扎实，手感很好。",
				"质量比想象中还要好。",
				"没有异味，做工很用心。",
			},
		},
	},
	closers: [3][]string{
		negative: {"已申请退货。", "不推荐购买。", "差评！", "客服态度也很差，再也不会买了。", "大家别踩坑。"},
		neutral:  {"有活动的话可能会再买。", "先用着吧。", "总体还行。"},
		positive: {"下次还会回购！", "强烈推荐！", "五星好评！", "客服态度也很好，好评！", "推荐给朋友了。"},
	},
}

// reviewTextZH builds a Chinese review: sentences run together with their
// own punctuation, no spaces.
func (g *gen) reviewTextZH(rating int, noun string, forced map[aspect]sentiment) string {
	return strings.ReplaceAll(strings.Join(g.reviewParts(rating, forced, &zhReviews), ""), "{n}", noun)
}
