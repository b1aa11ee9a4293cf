// Command receiver is a local stand-in for a webhook endpoint, to try a
// campaign through the bundled webhook plugin without sending anything
// anywhere (the README's campaign walk-through uses it). It answers every
// POST with 202 Accepted and appends the body to -out as one JSON line.
//
//	go build -o bin/hook-receiver ./docs/examples/receiver
//	hook-receiver -addr 127.0.0.1:8080 -out received.jsonl
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	out := flag.String("out", "received.jsonl", "file the messages are appended to, one JSON object a line")
	flag.Parse()
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		log.Fatal(err)
	}
	var mu sync.Mutex
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			fmt.Fprintln(w, "hook-receiver: POST messages here") // the plugin's connection check
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var line bytes.Buffer
		if json.Compact(&line, body) != nil {
			line.Reset()
			b, _ := json.Marshal(string(body))
			line.Write(b)
		}
		line.WriteByte('\n')
		mu.Lock()
		_, err = f.Write(line.Bytes())
		mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	log.Printf("hook-receiver: listening on http://%s/hook, writing to %s", *addr, *out)
	log.Fatal(http.ListenAndServe(*addr, nil))
}
