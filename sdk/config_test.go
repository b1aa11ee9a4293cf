package sdk

import (
	"testing"
	"time"
)

// The getters read a setting as its type, and give the default when it is
// empty or not of that type.
func TestConfigGetters(t *testing.T) {
	c := Config{"s": "text", "i": " 42 ", "f": "2.5", "b": "true", "d": "90s", "bad": "many"}
	if c.String("s") != "text" || c.String("none") != "" {
		t.Error("String")
	}
	if c.Int("i", 7) != 42 || c.Int("none", 7) != 7 || c.Int("bad", 7) != 7 || c.Int("f", 7) != 7 {
		t.Error("Int")
	}
	if c.Float("f", 1) != 2.5 || c.Float("i", 1) != 42 || c.Float("none", 1) != 1 || c.Float("bad", 1) != 1 {
		t.Error("Float")
	}
	if !c.Bool("b", false) || !c.Bool("none", true) || c.Bool("bad", false) {
		t.Error("Bool")
	}
	if c.Duration("d", time.Second) != 90*time.Second || c.Duration("none", time.Second) != time.Second || c.Duration("bad", time.Second) != time.Second {
		t.Error("Duration")
	}
}
