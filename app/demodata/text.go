package demodata

import "strings"

// Review text is assembled from an opener, zero to three aspect sentences
// (delivery, price, quality) and an optional closer, each chosen to match
// the review's sentiment. "{n}" is the product noun and "{this}" agrees
// with it in number.

type sentiment int

const (
	negative sentiment = iota
	neutral
	positive
)

type aspect int

const (
	aspDelivery aspect = iota
	aspPrice
	aspQuality
	numAspects
)

var openers = [3][]string{
	negative: {
		"Very disappointed with {this} {n}.",
		"Not what I expected at all.",
		"Really poor {n}, sadly.",
		"I wanted to like {this} {n} but it let me down.",
		"Would give zero stars if I could.",
	},
	neutral: {
		"It's okay.",
		"Does the job, nothing special.",
		"Average {n}.",
		"Mixed feelings about this one.",
		"Fine for the occasional use.",
	},
	positive: {
		"Absolutely love {this} {n}!",
		"Great {n}, exactly as described.",
		"Really happy with my purchase.",
		"Fantastic {n}.",
		"Bought this as a gift and they loved it.",
		"Exactly what I was looking for.",
	},
}

var aspects = [3][numAspects][]string{
	negative: {
		aspDelivery: {
			"Delivery took almost two weeks.",
			"The parcel arrived damaged.",
			"The courier left it in the rain.",
			"It was delivered late, after the date I needed it.",
		},
		aspPrice: {
			"Overpriced for what you get.",
			"Far too expensive for the quality.",
			"You can find the same thing much cheaper elsewhere.",
		},
		aspQuality: {
			"It broke after a couple of uses.",
			"Cheap plastic that feels flimsy.",
			"The stitching came apart within a week.",
			"Poor quality and it looks nothing like the photos.",
		},
	},
	neutral: {
		aspDelivery: {
			"Delivery was fine but the packaging could be better.",
			"It arrived on time, no complaints there.",
		},
		aspPrice: {
			"Reasonable price, although I have seen it on sale.",
			"Decent value if you catch it on offer.",
		},
		aspQuality: {
			"Quality is acceptable for the price.",
			"The finish is a bit rough in places.",
		},
	},
	positive: {
		aspDelivery: {
			"Arrived a day early and well packaged.",
			"Delivery was quick and the courier was friendly.",
			"Fast delivery, arrived next day.",
		},
		aspPrice: {
			"Great value for money.",
			"Worth every penny.",
			"Cheaper than in the shops too.",
		},
		aspQuality: {
			"The build quality is excellent.",
			"Feels solid and well made.",
			"Lovely quality, better than expected.",
		},
	},
}

var closers = [3][]string{
	negative: {"I will be returning it.", "Would not recommend.", "Avoid."},
	neutral:  {"Might buy again if it is on sale.", "It will do for now."},
	positive: {"Would definitely buy again.", "Highly recommend.", "Five stars from me."},
}

// reviewWords holds one language's review sentences by sentiment.
type reviewWords struct {
	openers [3][]string
	aspects [3][numAspects][]string
	closers [3][]string
}

var enReviews = reviewWords{openers, aspects, closers}

// reviewText builds an English review.
func (g *gen) reviewText(rating int, noun string, forced map[aspect]sentiment) string {
	parts := g.reviewParts(rating, forced, &enReviews)
	this := "this"
	if strings.HasSuffix(noun, "s") { // earbuds, bath bombs, sunglasses
		this = "these"
	}
	return strings.NewReplacer("{n}", noun, "{this}", this).Replace(strings.Join(parts, " "))
}

// reviewParts picks an opener, aspect sentences and maybe a closer that
// match the rating. forced aspects always appear with the given sentiment
// (e.g. a delivery problem in a 4-star review).
func (g *gen) reviewParts(rating int, forced map[aspect]sentiment, w *reviewWords) []string {
	s := neutral
	switch {
	case rating >= 4:
		s = positive
	case rating <= 2:
		s = negative
	}
	var parts []string
	parts = append(parts, g.pickOf(w.openers[s]))
	for a := aspect(0); a < numAspects; a++ {
		if fs, ok := forced[a]; ok {
			parts = append(parts, g.pickOf(w.aspects[fs][a]))
		} else if g.r.Float64() < 0.3 {
			parts = append(parts, g.pickOf(w.aspects[s][a]))
		}
	}
	if g.r.Float64() < 0.6 {
		parts = append(parts, g.pickOf(w.closers[s]))
	}
	return parts
}
