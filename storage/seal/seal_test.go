package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
)

func TestSealFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	data := bytes.Repeat([]byte("secret customer row\n"), 5000)
	os.WriteFile(plain, data, 0o644)
	h, key, err := New(Passphrase, "a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	sealed := filepath.Join(dir, "p.mbproj")
	if err := Write(sealed, h, key.Recipient(), plain); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(sealed)
	if !bytes.HasPrefix(b, []byte(Magic)) || bytes.Contains(b, []byte("secret customer")) {
		t.Fatal("the sealed file is not a sealed file, or holds plaintext")
	}
	if fi, _ := os.Stat(sealed); fi.Mode().Perm() != 0o600 {
		t.Fatalf("sealed file mode %v", fi.Mode().Perm())
	}
	if !IsSealed(sealed) || IsSealed(plain) {
		t.Fatal("IsSealed")
	}
	h2, err := ReadHeader(sealed)
	if err != nil || h2.ID != h.ID || h2.Key != Passphrase {
		t.Fatalf("header %+v %v", h2, err)
	}
	if _, err := h2.Unwrap("a long enough passphrasE"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	k2, err := h2.Unwrap("a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(sealed, k2, plain); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(plain, append(data, 'x'), 0o644)
	if err := Verify(sealed, k2, plain); err == nil {
		t.Fatal("Verify passed a different plain file")
	}
	// Another project's key does not fit.
	_, other, _ := New(Keyring, "")
	if err := Check(sealed, other); err == nil {
		t.Fatal("a foreign key fits")
	}
	// A payload cut short is refused, not half-decrypted in silence.
	os.WriteFile(sealed, b[:len(b)-100], 0o600)
	var out bytes.Buffer
	if err := Decrypt(sealed, k2, &out); err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("a truncated seal: %v", err)
	}
}

func TestHeaderRefusals(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"no magic":   "SQLite format 3\x00",
		"no json":    Magic + "not json\n",
		"no id":      Magic + `{"format":1,"key":"keyring"}` + "\n",
		"what key":   Magic + `{"format":1,"id":"ab","key":"sesame"}` + "\n",
		"newer":      Magic + `{"format":2,"id":"ab","key":"keyring"}` + "\n",
		"cut header": Magic + `{"format":1,"id":"ab",`,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
		os.WriteFile(p, []byte(text), 0o600)
		if _, err := ReadHeader(p); err == nil {
			t.Errorf("%s: read", name)
		} else if name == "newer" && !strings.Contains(err.Error(), "update Marketbench") {
			t.Errorf("newer: %v", err)
		}
	}
	if _, _, err := New(Passphrase, "1234567"); err == nil {
		t.Error("a 7-character passphrase was taken")
	}
	h, _, _ := New(Passphrase, "twelve chars")
	h.Wrapped = h.Wrapped[:len(h.Wrapped)-8] + "AAAAAAAA"
	if _, err := h.Unwrap("twelve chars"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("a tampered wrapped key: %v", err)
	}
}

func TestClaim(t *testing.T) {
	run := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", run)
	sealed := filepath.Join(t.TempDir(), "p"+storage.Ext)
	w, recovered, err := Claim(sealed, "id1")
	if err != nil || recovered {
		t.Fatalf("first claim: %v %v", recovered, err)
	}
	if !strings.HasPrefix(w.Dir, filepath.Join(run, "marketbench-sealed")) {
		t.Fatalf("working folder %s is not under $XDG_RUNTIME_DIR", w.Dir)
	}
	for _, d := range []string{w.Dir, filepath.Dir(w.Dir)} {
		if fi, _ := os.Stat(d); fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: mode %v", d, fi.Mode().Perm())
		}
	}
	if _, _, err := Claim(sealed, "id1"); !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("a second claim: %v", err)
	}
	if st, _ := Inspect(sealed); !st.Open {
		t.Fatalf("inspect while claimed: %+v", st)
	}
	// A whole copy left behind (the owner died) is recovered; a half
	// decrypted one is not a copy.
	os.WriteFile(w.Copy, []byte("db"), 0o600)
	w.Release(false)
	if st, _ := Inspect(sealed); st.Open || !st.Leftover {
		t.Fatalf("inspect after a crash: %+v", st)
	}
	if _, _, err := Claim(sealed, "another id"); err == nil || !strings.Contains(err.Error(), "another sealed project") {
		t.Fatalf("a leftover of another project: %v", err)
	}
	w, recovered, err = Claim(sealed, "id1")
	if err != nil || !recovered {
		t.Fatalf("recovery claim: %v %v", recovered, err)
	}
	os.Remove(w.Copy)
	os.WriteFile(w.Copy+".part", []byte("half"), 0o600)
	w.Release(false)
	w, recovered, err = Claim(sealed, "id1")
	if err != nil || recovered {
		t.Fatalf("a .part is not a working copy: %v %v", recovered, err)
	}
	if _, err := os.Stat(w.Copy + ".part"); !os.IsNotExist(err) {
		t.Fatal("the .part file was kept")
	}
	if err := w.Release(true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(w.Dir); !os.IsNotExist(err) {
		t.Fatal("Release(true) left the folder")
	}
}

func FuzzReadHeader(f *testing.F) {
	f.Add([]byte(Magic + `{"format":1,"id":"ab","key":"keyring"}` + "\n"))
	f.Add([]byte(Magic + `{"format":1,"id":"ab","key":"passphrase","wrapped_key":"!!"}` + "\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(dir, "h")
		os.WriteFile(p, b, 0o600)
		h, err := ReadHeader(p)
		if err != nil {
			return
		}
		if h.ID == "" || (h.Key != Passphrase && h.Key != Keyring) {
			t.Fatalf("accepted %+v", h)
		}
		if h.Key == Passphrase {
			h.Unwrap("some passphrase") // must not panic
		}
	})
}
