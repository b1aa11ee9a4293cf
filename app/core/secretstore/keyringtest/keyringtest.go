// Package keyringtest gives a test a real, private system keyring on
// Linux: its own D-Bus session bus and a GNOME Keyring daemon with a fresh,
// unlocked login keyring in a temporary home. The test process talks to it
// through DBUS_SESSION_BUS_ADDRESS; the user's own keyring is never
// touched.
package keyringtest

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// Install is the command that installs what Start needs on Debian/Ubuntu.
const Install = "sudo apt-get install -y gnome-keyring dbus"

// Missing says why Start would skip: not Linux, or the daemons are not
// installed (then with the command to install them); "" when it can run.
func Missing() string {
	if runtime.GOOS != "linux" {
		return "the test keyring runs on Linux only"
	}
	for _, b := range []string{"dbus-daemon", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(b); err != nil {
			return b + " is not installed: " + Install
		}
	}
	return ""
}

// Start starts a private session bus and keyring for the test (or skips
// it, saying what to install) and points this process at them until the
// test ends. Tests using it must not run in parallel with each other.
func Start(t testing.TB) { start(t, true) }

// StartBusOnly starts a private session bus with no keyring service on it:
// a desktop session without GNOME Keyring or KWallet.
func StartBusOnly(t testing.TB) { start(t, false) }

func start(t testing.TB, withKeyring bool) {
	t.Helper()
	if why := Missing(); why != "" {
		t.Skip(why)
	}
	dir, err := os.MkdirTemp("", "mb-keyring-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	home, run := filepath.Join(dir, "home"), filepath.Join(dir, "run")
	os.MkdirAll(home, 0o700)
	os.MkdirAll(run, 0o700)
	env := append(os.Environ(), "HOME="+home, "XDG_RUNTIME_DIR="+run, "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"))

	// A bus of our own that starts no services on demand: the system's
	// session configuration would start a second, locked keyring daemon
	// for a call made before ours is ready.
	conf := filepath.Join(dir, "bus.conf")
	os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(run, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	bus := exec.Command("dbus-daemon", "--config-file="+conf, "--nofork", "--print-address=1")
	bus.Env = env
	bus.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := bus.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Start(); err != nil {
		t.Fatalf("starting dbus-daemon: %v", err)
	}
	stop := func(c *exec.Cmd) {
		syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
		c.Wait()
	}
	t.Cleanup(func() { stop(bus) })
	addr := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(out).ReadString('\n')
		addr <- strings.TrimSpace(line)
	}()
	var address string
	select {
	case address = <-addr:
	case <-time.After(10 * time.Second):
	}
	if address == "" {
		t.Fatal("dbus-daemon printed no address")
	}
	env = append(env, "DBUS_SESSION_BUS_ADDRESS="+address)
	if !withKeyring {
		t.Setenv("DBUS_SESSION_BUS_ADDRESS", address)
		t.Cleanup(Disconnect)
		return
	}

	// --unlock reads the login keyring's password from stdin and creates
	// that keyring (unlocked) in the empty home.
	gk := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	gk.Env = env
	gk.Stdin = strings.NewReader("test-password")
	gk.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := gk.Start(); err != nil {
		t.Fatalf("starting gnome-keyring-daemon: %v", err)
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", address)
	t.Cleanup(func() {
		// The D-Bus library keeps one shared session connection per
		// process: close it so the next test connects to its own bus.
		Disconnect()
		stop(gk)
	})
	// Ready when the keyring service is on the bus and the login keyring
	// answers.
	deadline := time.Now().Add(15 * time.Second)
	for !owned(address, "org.freedesktop.secrets") {
		if time.Now().After(deadline) {
			t.Fatal("gnome-keyring-daemon did not come up on the test bus")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for {
		_, err := keyring.Get("Marketbench test", "probe")
		if errors.Is(err, keyring.ErrNotFound) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test keyring does not answer: %v", err)
		}
		Disconnect()
		time.Sleep(100 * time.Millisecond)
	}
}

// Lock locks the login keyring, as the desktop does when the screen locks
// or the user logs out; nothing on the test bus can show the unlock prompt.
func Lock(t testing.TB) {
	t.Helper()
	c, err := dbus.SessionBus()
	if err != nil {
		t.Fatal(err)
	}
	var locked []dbus.ObjectPath
	obj := c.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	if err := obj.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{"/org/freedesktop/secrets/collection/login"}).Store(&locked, new(dbus.ObjectPath)); err != nil {
		t.Fatalf("locking the test keyring: %v", err)
	}
}

// owned reports whether a name has an owner on the bus at address.
func owned(address, name string) bool {
	c, err := dbus.Dial(address)
	if err != nil {
		return false
	}
	defer c.Close()
	if c.Auth(nil) != nil || c.Hello() != nil {
		return false
	}
	var has bool
	c.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
	return has
}

// Disconnect closes the process's shared D-Bus session connection, so the
// next keyring call connects anew to DBUS_SESSION_BUS_ADDRESS as it is
// then (for a test that points it elsewhere).
func Disconnect() {
	if c, err := dbus.SessionBus(); err == nil {
		c.Close()
	}
}
