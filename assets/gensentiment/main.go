// Command gensentiment trains the default sentiment models and writes
// assets/models/sentiment-en.json and sentiment-zh.json. Run it from the
// assets directory:
//
//	go generate ./assets        # or: cd assets && go run ./gensentiment
//
// The recipes (data, split, options) are in assets/internal/sentimentrecipe;
// TestSentimentAsset and TestChineseSentimentAsset check that the embedded
// files are what they produce. The Chinese model needs the shared data set
// folder beside the repository (-zh-data); -zh-data "" skips it.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/marketbench/marketbench/assets/internal/sentimentrecipe"
	"github.com/marketbench/marketbench/assets/internal/zhseg"
)

func main() {
	data := flag.String("data", sentimentrecipe.Data, "sentence,label,source CSV")
	lexicon := flag.String("lexicon", sentimentrecipe.Lexicon, "VADER-format English lexicon")
	out := flag.String("out", "models/sentiment-en.json", "English model file to write")
	zhData := flag.String("zh-data", sentimentrecipe.ZHData, "online_shopping_10_cats.csv.gz; empty skips the Chinese model")
	zhOut := flag.String("zh-out", "models/sentiment-zh.json", "Chinese model file to write")
	flag.Parse()
	log.SetFlags(0)
	r, err := sentimentrecipe.Build(*data, *lexicon)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, r.JSON, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bytes, %d terms, trained on %d sentences; held-out accuracy %.4f (%d/%d); lexicon C %g (cross-validated accuracy %v), n-gram weight %.3f, lexicon weights %v\n",
		*out, len(r.JSON), len(r.Model.Vec.Terms), r.Train, r.Accuracy(), r.Hits, r.Tests, r.Fit.C, r.Fit.CVAcc, r.Fit.NGramW, r.Model.Lex.W)
	if *zhData == "" {
		return
	}
	dict, err := os.ReadFile(zhseg.DictFile)
	if err != nil {
		log.Fatal(err)
	}
	seg, err := zhseg.New(dict)
	if err != nil {
		log.Fatal(err)
	}
	z, err := sentimentrecipe.BuildZH(*zhData, seg)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*zhOut, z.JSON, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bytes, %d terms, trained on %d reviews\n", *zhOut, len(z.JSON), len(z.Model.Vec.Terms), z.Train)
}
