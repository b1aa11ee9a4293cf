// Command gendict writes assets/dict/zh.txt.gz, the Chinese word list the
// built-in segmenter loads, from the simplified-Chinese dictionary shipped
// in the github.com/go-ego/gse module (data/dict/zh/s_1.txt, Apache 2.0;
// partly from jieba, MIT). Run it from the assets directory:
//
//	go run ./gendict
//
// It keeps words of Han characters only, up to 4 characters long, and
// drops the rarest longer words (frequency below 4): 196k of 352k words,
// 1.0 MB gzipped instead of 2.0 MB. Every two-character word is kept
// whatever its frequency, because the frequencies are uneven (客服,
// "customer service", has 3) and most Chinese words are two characters.
// Part-of-speech tags are dropped; the segmenter does not need them.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Version is the gse release whose dictionary is used; go.mod must require it.
const Version = "v0.80.3"

func main() {
	out := flag.String("out", "dict/zh.txt.gz", "file to write")
	flag.Parse()
	log.SetFlags(0)
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/go-ego/gse@"+Version).Output()
	if err != nil {
		log.Fatalf("finding the gse module (go mod download github.com/go-ego/gse@%s): %v", Version, err)
	}
	src := filepath.Join(strings.TrimSpace(string(dir)), "data", "dict", "zh", "s_1.txt")
	f, err := os.Open(src)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var raw bytes.Buffer
	kept, total := 0, 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) < 2 {
			continue
		}
		total++
		w := fs[0]
		freq, err := strconv.Atoi(fs[1])
		n := utf8.RuneCountInString(w)
		if err != nil || n > 4 || strings.ContainsFunc(w, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
			continue
		}
		if n != 2 && freq < 4 {
			continue
		}
		fmt.Fprintf(&raw, "%s %d\n", w, freq)
		kept++
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw.Bytes())
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, gz.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d of %d words, %d bytes (%d unpacked)\n", *out, kept, total, gz.Len(), raw.Len())
}
