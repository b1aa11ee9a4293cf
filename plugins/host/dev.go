package host

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-hclog"

	"github.com/marketbench/marketbench/assets/i18n"
)

// DevMarker is the file in an installed plugin's folder that marks it as a
// development build: installed by 'plugin dev' from the author's source,
// replaced by each rebuild, and refused for live sends unless confirmed.
// Only DevInstall writes it; Install removes one copied from a source.
const DevMarker = ".marketbench-development"

// DevInfo is what the development mark records.
type DevInfo struct {
	// Source is the folder the build came from.
	Source  string    `json:"source"`
	BuiltAt time.Time `json:"built_at"`
}

func devMark(src string) []byte {
	abs, err := filepath.Abs(src)
	if err != nil {
		abs = src
	}
	b, _ := json.MarshalIndent(DevInfo{Source: abs, BuiltAt: time.Now().UTC().Truncate(time.Second)}, "", "  ")
	return b
}

// readDevMark reads dir's development mark, or nil when it has none.
func readDevMark(dir string) *DevInfo {
	b, err := os.ReadFile(filepath.Join(dir, DevMarker))
	if err != nil {
		return nil
	}
	var d DevInfo
	json.Unmarshal(b, &d) // a damaged mark still marks the build
	return &d
}

func hexSHA(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil, i18n.Errorf("%q is not a sha256 checksum", s)
	}
	return b, nil
}

// funcWriter passes each line written to it to fn.
type funcWriter func(string)

func (w funcWriter) Write(b []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		w(l)
	}
	return len(b), nil
}

func lineLogger(name string, fn func(string)) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: name, Output: funcWriter(fn), Level: hclog.Info})
}
