package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/marketbench/marketbench/app/core"
	"github.com/marketbench/marketbench/assets/i18n"
)

// PassphraseEnv gives a sealed project's passphrase to commands that are
// not run at a terminal.
const PassphraseEnv = "MARKETBENCH_PASSPHRASE"

func init() {
	registerPrivacyCmd(func(e *env) *cobra.Command { return e.privacySealCmd() })
	registerPrivacyCmd(func(e *env) *cobra.Command { return e.privacyUnsealCmd() })
}

// sealJSON is seal's and unseal's --json output.
type sealJSON struct {
	Path     string    `json:"path"`
	Sealed   bool      `json:"sealed"`
	Key      string    `json:"key,omitempty"`
	SealedAt time.Time `json:"sealed_at"`
	WorkDir  string    `json:"work_dir,omitempty"`
	Open     bool      `json:"open"`
	PID      int       `json:"pid,omitempty"`
	Leftover bool      `json:"leftover"`
}

func (e *env) privacySealCmd() *cobra.Command {
	var keyring, fromStdin, status bool
	cmd := &cobra.Command{
		Use:   "seal [PROJECT] [--keyring | --passphrase-stdin] | --status",
		Short: "Encrypt a project file at rest, with a passphrase or a key in the system keyring",
		Long: "Turns a plain project file into a sealed one in place: it is encrypted (age, X25519 and ChaCha20-Poly1305),\n" +
			"read back and compared, and only then replaces the plain file. A sealed project opens into a private folder\n" +
			"(under $XDG_RUNTIME_DIR, in memory on Linux) and is sealed again while open and on close.\n" +
			"The passphrase is asked at the terminal, or read from the first line of stdin with --passphrase-stdin.\n" +
			"With --keyring the key is kept in this computer's keyring and the project opens only here.\n" +
			"The deleted plain file may survive in the disk's free blocks: seal new projects before importing data.\n" +
			"--status says whether a project is sealed, where its working copy is and when it was last sealed.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := e.sealTarget(args)
			if err != nil {
				return err
			}
			if status {
				if keyring || fromStdin {
					return i18n.Errorf("--status only reports; leave out --keyring and --passphrase-stdin")
				}
				st, err := core.SealInfo(path)
				if err != nil {
					return err
				}
				return e.emitSeal(st)
			}
			if keyring && fromStdin {
				return i18n.Errorf("choose one key: --keyring or --passphrase-stdin")
			}
			o := core.SealOptions{Keyring: keyring}
			if !keyring {
				if o.Passphrase, err = e.newPassphrase(fromStdin); err != nil {
					return err
				}
			}
			st, err := core.Seal(cmd.Context(), path, o)
			if err != nil {
				return err
			}
			return e.emitSeal(st)
		},
	}
	cmd.Flags().BoolVar(&keyring, "keyring", false, "keep the key in the system keyring instead of asking for a passphrase")
	cmd.Flags().BoolVar(&fromStdin, "passphrase-stdin", false, "read the passphrase from the first line of stdin")
	cmd.Flags().BoolVar(&status, "status", false, "only say whether the project is sealed and where its parts are")
	return cmd
}

func (e *env) privacyUnsealCmd() *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "unseal [PROJECT] [--passphrase-stdin]",
		Short: "Turn a sealed project back into a plain project file",
		Long: "Decrypts a sealed project in place: afterwards the file is a plain project anyone with the file can read.\n" +
			"A key kept in the keyring stays there, so older sealed copies (backups) still open.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := e.sealTarget(args)
			if err != nil {
				return err
			}
			pass := ""
			if fromStdin {
				if pass, err = e.readLine(); err != nil {
					return err
				}
			}
			st, err := core.Unseal(cmd.Context(), path, pass)
			if errors.Is(err, core.ErrNeedPassphrase) {
				if pass, err = e.passphrase(path); err != nil {
					return err
				}
				st, err = core.Unseal(cmd.Context(), path, pass)
			}
			if err != nil {
				return err
			}
			return e.emitSeal(st)
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "passphrase-stdin", false, "read the passphrase from the first line of stdin")
	return cmd
}

// sealTarget is the PROJECT argument, else -p.
func (e *env) sealTarget(args []string) (string, error) {
	if len(args) == 1 {
		return args[0], nil
	}
	if e.project == "" {
		return "", i18n.Errorf("no project given; name it (marketbench privacy seal FILE.mbproj) or pass -p FILE.mbproj")
	}
	return e.project, nil
}

func (e *env) emitSeal(st *core.SealStatus) error {
	out := sealJSON{Path: st.Path, Sealed: st.Sealed, Key: st.Key, SealedAt: st.SealedAt, WorkDir: st.WorkDir, Open: st.Open, PID: st.PID, Leftover: st.Leftover}
	return e.emit(out, func(o io.Writer) {
		if !st.Sealed {
			fmt.Fprintln(o, i18n.T("%s is not sealed: it is a plain project file.", st.Path))
			return
		}
		key := i18n.T("a passphrase")
		if st.Key == "keyring" {
			key = i18n.T("a key in this computer's keyring")
		}
		fmt.Fprintln(o, i18n.T("%s is sealed with %s; last sealed %s.", st.Path, key, st.SealedAt.Local().Format("2006-01-02 15:04:05")))
		switch {
		case st.Open:
			fmt.Fprintln(o, i18n.T("It is open now (process %d); its working copy is in %s.", st.PID, st.WorkDir))
		case st.Leftover:
			fmt.Fprintln(o, i18n.T("A Marketbench that stopped unexpectedly left its working copy in %s; opening the project seals it again, losing nothing.", st.WorkDir))
		default:
			fmt.Fprintln(o, i18n.T("When open, its working copy is kept in %s.", st.WorkDir))
		}
	})
}

// openProject opens path for a command: a sealed project with its key from
// the keyring, else the passphrase from $MARKETBENCH_PASSPHRASE or asked
// at the terminal.
func (e *env) openProject(path string) (*core.Workspace, error) {
	w, err := core.Open(path)
	if !errors.Is(err, core.ErrNeedPassphrase) {
		return w, err
	}
	pass, perr := e.passphrase(path)
	if perr != nil {
		return nil, perr
	}
	return core.OpenWith(path, pass)
}

// passphrase finds the passphrase of a sealed project: the environment,
// else a prompt without echo when stdin is a terminal.
func (e *env) passphrase(path string) (string, error) {
	if p := os.Getenv(PassphraseEnv); p != "" {
		return p, nil
	}
	fd, ok := e.terminal()
	if !ok {
		return "", i18n.Errorf("%s is sealed with a passphrase; set %s or run the command in a terminal to be asked for it", path, PassphraseEnv)
	}
	fmt.Fprint(e.errOut, i18n.T("Passphrase for %s: ", path))
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(e.errOut)
	if err != nil {
		return "", i18n.Errorf("cannot read the passphrase: %v", err)
	}
	return string(b), nil
}

// newPassphrase asks for a new passphrase twice at the terminal, or reads
// it from stdin.
func (e *env) newPassphrase(fromStdin bool) (string, error) {
	if fromStdin {
		return e.readLine()
	}
	fd, ok := e.terminal()
	if !ok {
		return "", i18n.Errorf("no terminal to ask for a passphrase: pass it on stdin with --passphrase-stdin, or use --keyring")
	}
	var twice [2]string
	for i, prompt := range []string{i18n.T("New passphrase: "), i18n.T("The same passphrase again: ")} {
		fmt.Fprint(e.errOut, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(e.errOut)
		if err != nil {
			return "", i18n.Errorf("cannot read the passphrase: %v", err)
		}
		twice[i] = string(b)
	}
	if twice[0] != twice[1] {
		return "", i18n.Errorf("the two passphrases differ; nothing was changed, try again")
	}
	return twice[0], nil
}

// readLine reads a passphrase from the first line of stdin.
func (e *env) readLine() (string, error) {
	line, err := bufio.NewReader(e.in).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		if err != nil && err != io.EOF {
			return "", i18n.Errorf("cannot read the passphrase from stdin: %v", err)
		}
		return "", i18n.Errorf("no passphrase on stdin; give it as the first line")
	}
	return line, nil
}

func (e *env) terminal() (int, bool) {
	f, ok := e.in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}
