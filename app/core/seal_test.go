package core

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/marketbench/marketbench/app/core/secretstore"
	"github.com/marketbench/marketbench/app/core/secretstore/keyringtest"
	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
	"github.com/marketbench/marketbench/storage/seal"
)

const (
	sealPass  = "correct horse battery staple"
	sealEmail = "olga.sealed.q@example.org"
)

// sealedProject makes a plain project holding a known customer, with its
// own private runtime folder, and returns its path.
func sealedProject(t *testing.T) string {
	t.Helper()
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	dir := t.TempDir()
	path := filepath.Join(dir, "client.mbproj")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(dir, "customers.csv")
	os.WriteFile(csv, []byte("customer_id,email\nC1,"+sealEmail+"\nC2,b@example.com\n"), 0o644)
	if _, err := w.Import(context.Background(), csv, ingest.Options{Table: "customers"}); err != nil {
		t.Fatal(err)
	}
	os.Remove(csv)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func sealRows(t *testing.T, w *Workspace, table string) int {
	t.Helper()
	var n int
	if err := w.DB().QueryRow(`SELECT count(*) FROM ` + storage.Quote(table)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// assertUnreadable: no DuckDB header and no known value in the file's bytes.
func assertUnreadable(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte(seal.Magic)) {
		t.Fatalf("%s does not start with the seal header", path)
	}
	// DuckDB's signature where DuckDB puts it (its 4 bytes anywhere in a
	// megabyte of ciphertext turn up by chance now and then), then names
	// and values no ciphertext holds by chance.
	if len(b) > len(seal.Magic)+12 && (string(b[8:12]) == "DUCK" || bytes.Contains(b[:4096], []byte("DUCK"))) {
		t.Fatalf("%s holds a DuckDB header", path)
	}
	for _, s := range []string{sealEmail, "customers", "mb_column_roles"} {
		if bytes.Contains(b, []byte(s)) {
			t.Fatalf("the sealed file holds %q in the clear", s)
		}
	}
}

func TestSealRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := sealedProject(t)
	if _, err := Seal(ctx, path, SealOptions{Passphrase: "short"}); err == nil || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("a short passphrase: %v", err)
	}
	st, err := Seal(ctx, path, SealOptions{Passphrase: sealPass})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Sealed || st.Key != "passphrase" {
		t.Fatalf("status after sealing: %+v", st)
	}
	assertUnreadable(t, path)
	if _, err := storage.Open(path); err == nil {
		t.Fatal("storage.Open read a sealed file")
	}
	if _, err := Open(path); !errors.Is(err, ErrNeedPassphrase) {
		t.Fatalf("open without a passphrase: %v", err)
	}
	if _, err := OpenWith(path, "correct horse battery stapler"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("open with a wrong passphrase: %v", err)
	}
	if _, err := os.Stat(st.WorkDir); err == nil {
		t.Fatal("a refused open left its working folder")
	}
	w, err := OpenWith(path, sealPass)
	if err != nil {
		t.Fatal(err)
	}
	if !w.Sealed() || w.SealedPath() != path || !strings.HasPrefix(w.Path, os.Getenv("XDG_RUNTIME_DIR")) {
		t.Fatalf("sealed %v, sealed path %q, working copy %q", w.Sealed(), w.SealedPath(), w.Path)
	}
	if r, err := w.ProcessingRecord(context.Background()); err != nil || !r.Security.Sealed {
		t.Fatalf("the record of processing does not say the project is sealed: %v", err)
	}
	for p, want := range map[string]os.FileMode{w.Path: 0o600, filepath.Dir(w.Path): 0o700} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Fatalf("%s: %v %v, want %v", p, fi.Mode().Perm(), err, want)
		}
	}
	if n := sealRows(t, w, "customers"); n != 2 {
		t.Fatalf("%d customers after sealing, want 2", n)
	}
	if _, err := w.DB().Exec(`INSERT INTO customers VALUES ('C3', 'c3@example.com')`); err != nil {
		t.Fatal(err)
	}
	if err := w.Reseal(ctx); err != nil {
		t.Fatal(err)
	}
	assertUnreadable(t, path)
	if _, err := w.DB().Exec(`INSERT INTO customers VALUES ('C4', 'c4@example.com')`); err != nil {
		t.Fatal(err)
	}
	work := filepath.Dir(w.Path)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(work); !os.IsNotExist(err) {
		t.Fatalf("the working folder is still there after closing: %v", err)
	}
	assertUnreadable(t, path)
	if w, err = OpenWith(path, sealPass); err != nil {
		t.Fatal(err)
	}
	if n := sealRows(t, w, "customers"); n != 4 {
		t.Fatalf("%d customers after reopening, want 4", n)
	}
	w.Close()

	if _, err := Unseal(ctx, path, "nope nope nope"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("unseal with a wrong passphrase: %v", err)
	}
	if _, err := Unseal(ctx, path, sealPass); err != nil {
		t.Fatal(err)
	}
	p, err := storage.Open(path)
	if err != nil {
		t.Fatalf("the unsealed file does not open as a plain project: %v", err)
	}
	p.Close()
	if w, err = Open(path); err != nil || w.Sealed() || sealRows(t, w, "customers") != 4 {
		t.Fatalf("unsealed: %v", err)
	}
	w.Close()
}

// TestSealKillChild is the child of TestSealKill: it opens the sealed
// project, commits a row, says so and waits to be killed.
func TestSealKillChild(t *testing.T) {
	path := os.Getenv("MB_SEAL_CHILD")
	if path == "" {
		t.Skip("only run as TestSealKill's child")
	}
	w, err := OpenWith(path, sealPass)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	if _, err := w.DB().Exec(`INSERT INTO customers VALUES ('K1', 'killed.after.commit@example.org')`); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("committed", w.Path)
	time.Sleep(time.Minute)
}

func TestSealKill(t *testing.T) {
	ctx := context.Background()
	path := sealedProject(t)
	if _, err := Seal(ctx, path, SealOptions{Passphrase: sealPass}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSealKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), "MB_SEAL_CHILD="+path, "MB_KILL_CHILD=1") // MB_KILL_CHILD: build no plugins
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(out)
	working := ""
	for sc.Scan() {
		if w, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
			working = w
			break
		}
		if strings.HasPrefix(sc.Text(), "error:") {
			t.Fatal(sc.Text())
		}
	}
	if working == "" {
		t.Fatal("the child never committed its change")
	}
	// A second opener while the first is alive is refused, and leaves its
	// working copy alone.
	if _, err := OpenWith(path, sealPass); !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("a second open while the first is alive: %v", err)
	}
	if st, err := SealInfo(path); err != nil || !st.Open || st.PID != cmd.Process.Pid {
		t.Fatalf("status while open elsewhere: %+v %v", st, err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(working); err != nil {
		t.Fatalf("the killed child left no working copy: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("the sealed file changed although the child never re-sealed")
	}
	if st, err := SealInfo(path); err != nil || st.Open || !st.Leftover {
		t.Fatalf("status after the kill: %+v %v", st, err)
	}
	// A wrong passphrase does not recover (nor touch) anything.
	if _, err := OpenWith(path, "not the passphrase"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase after a crash: %v", err)
	}
	w, err := OpenWith(path, sealPass)
	if err != nil {
		t.Fatalf("reopening after the kill: %v", err)
	}
	var n int
	w.DB().QueryRow(`SELECT count(*) FROM customers WHERE customer_id = 'K1'`).Scan(&n)
	if n != 1 {
		t.Fatal("the child's committed row was lost")
	}
	if after, _ := os.ReadFile(path); bytes.Equal(before, after) {
		t.Fatal("recovery did not seal the working copy first")
	}
	assertUnreadable(t, path)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// Nothing unsealed is left: not the working folder, not beside the file.
	if _, err := os.Stat(filepath.Dir(working)); !os.IsNotExist(err) {
		t.Fatalf("the working folder survived: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range entries {
		if e.Name() != filepath.Base(path) {
			t.Errorf("left beside the sealed file: %s", e.Name())
		}
	}
	// The recovered row was sealed: it is there on a fresh open.
	w, err = OpenWith(path, sealPass)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if sealRows(t, w, "customers") != 3 {
		t.Fatal("the recovered row is not in the sealed file")
	}
}

func TestSealCrashMidSeal(t *testing.T) {
	ctx := context.Background()
	path := sealedProject(t)
	if _, err := Seal(ctx, path, SealOptions{Passphrase: sealPass}); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(path)
	w, err := OpenWith(path, sealPass)
	if err != nil {
		t.Fatal(err)
	}
	w.DB().Exec(`INSERT INTO customers VALUES ('M1', 'm1@example.com')`)
	w.DB().Exec(`CHECKPOINT`)
	// A seal that died before its rename: a whole temp file, and one cut
	// short, both beside the sealed file.
	tmp, err := seal.WriteTemp(path, w.seal.hdr, w.seal.to, w.Path)
	if err != nil {
		t.Fatal(err)
	}
	half, _ := os.ReadFile(tmp)
	os.WriteFile(filepath.Join(filepath.Dir(path), seal.TempPrefix+"client.mbproj-cut"), half[:len(half)/2], 0o600)
	if now, _ := os.ReadFile(path); !bytes.Equal(now, good) {
		t.Fatal("an uncommitted seal changed the sealed file")
	}
	// The process dies here; its working copy is dropped too, as if the
	// private folder were lost (tmpfs at reboot). The old seal must open.
	w.Project.Close()
	w.seal.work.Release(true)
	w2, err := OpenWith(path, sealPass)
	if err != nil {
		t.Fatalf("the last good sealed file does not open after a crash mid-seal: %v", err)
	}
	if n := sealRows(t, w2, "customers"); n != 2 {
		t.Fatalf("%d customers in the last good seal, want 2", n)
	}
	w2.Close()
}

func TestSealKeyring(t *testing.T) {
	keyringtest.Start(t)
	ctx := context.Background()
	path := sealedProject(t)
	st, err := Seal(ctx, path, SealOptions{Keyring: true})
	if err != nil {
		t.Fatal(err)
	}
	if st.Key != "keyring" {
		t.Fatalf("key kind %q", st.Key)
	}
	assertUnreadable(t, path)
	w, err := Open(path) // the key is found in the keyring
	if err != nil {
		t.Fatal(err)
	}
	if sealRows(t, w, "customers") != 2 {
		t.Fatal("data lost")
	}
	w.Close()
	// Another computer's keyring does not have the key.
	hdr, _ := seal.ReadHeader(path)
	if err := secretstore.Delete(hdr.ID, SealKeyName); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "keyring") {
		t.Fatalf("open without the key in the keyring: %v", err)
	}
}

// Without a keyring, sealing with --keyring is refused and the plain file
// is left exactly as it was.
func TestSealWithoutKeyringLeavesPlain(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	path := sealedProject(t)
	before, _ := os.ReadFile(path)
	if _, err := Seal(context.Background(), path, SealOptions{Keyring: true}); err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("sealing without a keyring: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("the plain file changed")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("left beside the project: %v", entries)
	}
}

// An erasure in a sealed project seals at once: the sealed file no longer
// holds the person, even before the project closes.
func TestSealErase(t *testing.T) {
	ctx := context.Background()
	path := sealedProject(t)
	if _, err := Seal(ctx, path, SealOptions{Passphrase: sealPass}); err != nil {
		t.Fatal(err)
	}
	w, err := OpenWith(path, sealPass)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Erase(ctx, Subject{Email: sealEmail}); err != nil {
		t.Fatal(err)
	}
	// Read the sealed file as it is now, with the project still open.
	hdr, _ := seal.ReadHeader(path)
	key, err := hdr.Unwrap(sealPass)
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if err := seal.Decrypt(path, key, &plain); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(plain.Bytes(), []byte("b@example.com")) {
		t.Fatal("the decrypted seal does not hold the other customer: the check below proves nothing")
	}
	if bytes.Contains(plain.Bytes(), []byte(sealEmail)) {
		t.Fatal("the sealed file still holds the erased person")
	}
}

// Sealing while another goroutine keeps writing still gives a sealed file
// that opens as a whole project: the copy is one checkpoint.
func TestResealWhileWriting(t *testing.T) {
	ctx := context.Background()
	path := sealedProject(t)
	if _, err := Seal(ctx, path, SealOptions{Passphrase: sealPass}); err != nil {
		t.Fatal(err)
	}
	w, err := OpenWith(path, sealPass)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.DB().Exec(`CREATE TABLE busy (i INTEGER, pad VARCHAR)`)
	stop := make(chan struct{})
	done := make(chan int)
	// The writer stops before the project closes, whatever the outcome.
	var writes int
	stopWriter := sync.OnceFunc(func() { close(stop); writes = <-done })
	defer stopWriter()
	go func() {
		n := 0
		for {
			select {
			case <-stop:
				done <- n
				return
			default:
			}
			// Checkpoints from elsewhere rewrite the file while it is read
			// for sealing (DuckDB also checkpoints on its own as the log grows).
			w.DB().Exec(`INSERT INTO busy SELECT i, md5(random()::VARCHAR) FROM range(20000) r(i)`)
			w.DB().Exec(`CHECKPOINT`)
			n++
			// A pause as real work has: a writer that checkpoints without
			// one leaves a loaded machine no moment to seal in, and Reseal
			// rightly says "try again" rather than seal a torn file.
			time.Sleep(20 * time.Millisecond)
		}
	}()
	hdr, _ := seal.ReadHeader(path)
	key, _ := hdr.Unwrap(sealPass)
	last := -1
	for round := range 4 {
		if err := w.Reseal(ctx); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		plain := filepath.Join(t.TempDir(), "check.mbproj")
		f, _ := os.Create(plain)
		if err := seal.Decrypt(path, key, f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		p, err := storage.Open(plain)
		if err != nil {
			t.Fatalf("round %d: the sealed file is not a whole project: %v", round, err)
		}
		var rows int
		if err := p.DB().QueryRow(`SELECT count(*) FROM busy`).Scan(&rows); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		p.Close()
		if rows < last {
			t.Fatalf("round %d: %d rows, fewer than the %d of the seal before", round, rows, last)
		}
		last = rows
	}
	stopWriter()
	if writes == 0 {
		t.Fatal("the writer never wrote: the test proves nothing")
	}
	if last <= 0 {
		t.Fatal("no seal held any written rows")
	}
}
