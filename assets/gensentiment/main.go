// Command gensentiment trains the default English sentiment model and
// writes assets/models/sentiment-en.json. Run it from the assets directory:
//
//	go generate ./assets        # or: cd assets && go run ./gensentiment
//
// The recipe (data, split, options) is in assets/internal/sentimentrecipe;
// TestSentimentAsset checks that the embedded file is what it produces.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/marketbench/marketbench/assets/internal/sentimentrecipe"
)

func main() {
	data := flag.String("data", sentimentrecipe.Data, "sentence,label,source CSV")
	out := flag.String("out", "models/sentiment-en.json", "model file to write")
	flag.Parse()
	log.SetFlags(0)
	r, err := sentimentrecipe.Build(*data)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, r.JSON, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d bytes, %d terms, trained on %d sentences; held-out accuracy %.4f (%d/%d)\n",
		*out, len(r.JSON), len(r.Model.Vec.Terms), r.Train, r.Accuracy(), r.Hits, r.Tests)
}
