package client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin/runner"
)

// MaxLine is the longest line of a plugin's output the host keeps; the
// rest of a longer line is read and dropped.
const MaxLine = 4096

// maxHandshake bounds the first stdout line, the handshake (about 1 KB).
const maxHandshake = 16 << 10

// procRunner starts a plugin process for go-plugin and reads its output
// itself. go-plugin reads a plugin's stdout with a bufio.Scanner, whose
// 64 KB line limit ends its reading at a longer line: the pipe then fills
// and the plugin blocks in its next write, which looks like a hang. Here
// the host reads both pipes to the end whatever the line length: go-plugin
// gets the handshake line (its only use of stdout) and stderr cut into
// lines of at most MaxLine bytes; stdout after the handshake goes to the
// plugin's log, cut the same way.
type procRunner struct {
	cmd  *exec.Cmd
	log  hclog.Logger
	name string

	outR, errR *os.File       // the read ends of the plugin's stdout and stderr
	outW, errW *os.File       // their write ends, the child's
	hsR        *io.PipeReader // the handshake, for go-plugin
	hsW        *io.PipeWriter
	logR       *io.PipeReader // stderr cut into lines, for go-plugin
	logW       *io.PipeWriter

	readers sync.WaitGroup
	done    chan struct{}
	waitErr error
	pid     int
}

func newProcRunner(cmd *exec.Cmd, log hclog.Logger) (*procRunner, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, err
	}
	r := &procRunner{cmd: cmd, log: log, name: cmd.Path, outR: outR, outW: outW, errR: errR, errW: errW, done: make(chan struct{})}
	r.hsR, r.hsW = io.Pipe()
	r.logR, r.logW = io.Pipe()
	cmd.Stdout, cmd.Stderr, cmd.Stdin = outW, errW, nil
	return r, nil
}

func (r *procRunner) Start(context.Context) error {
	err := r.cmd.Start()
	// The child has its own copies of the write ends; closing ours lets
	// the readers see the end when the plugin exits.
	r.outW.Close()
	r.errW.Close()
	if err != nil {
		r.outR.Close()
		r.errR.Close()
		r.hsW.Close()
		r.logW.Close()
		close(r.done)
		r.waitErr = err
		return err
	}
	r.pid = r.cmd.Process.Pid
	r.readers.Add(2)
	go r.readStdout()
	go r.readStderr()
	go r.wait()
	return nil
}

// wait reaps the process. A child of the plugin that kept its output open
// must not keep the readers (and go-plugin, which waits for them) going
// for ever: shortly after the plugin exits they are cut off.
func (r *procRunner) wait() {
	err := r.cmd.Wait()
	ended := make(chan struct{})
	go func() { r.readers.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(2 * time.Second):
		r.outR.Close()
		r.errR.Close()
		<-ended
	}
	r.waitErr = err
	close(r.done)
}

// readStdout hands the first line to go-plugin and the rest to the log.
func (r *procRunner) readStdout() {
	defer r.readers.Done()
	defer r.outR.Close()
	defer r.hsW.Close()
	limit := maxHandshake
	first := true
	eachLine(r.outR, &limit, func(line []byte) {
		if first {
			first, limit = false, MaxLine
			r.hsW.Write(append(line, '\n'))
			r.hsW.Close()
			return
		}
		r.log.Named("stdout").Info(string(line))
	})
}

// readStderr passes stderr on to go-plugin (which parses its hclog JSON
// lines) with every line cut to MaxLine bytes.
func (r *procRunner) readStderr() {
	defer r.readers.Done()
	defer r.errR.Close()
	defer r.logW.Close()
	limit := MaxLine
	eachLine(r.errR, &limit, func(line []byte) { r.logW.Write(append(line, '\n')) })
}

// eachLine calls fn with each line of src, without its line end, cut to
// *limit bytes. It reads to the end of src whatever a line's length; a
// last line without a newline is passed on too.
func eachLine(src io.Reader, limit *int, fn func(line []byte)) {
	br := bufio.NewReaderSize(src, 64<<10)
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		if err == nil {
			frag = bytes.TrimSuffix(bytes.TrimSuffix(frag, []byte("\n")), []byte("\r"))
		}
		if room := *limit - len(line); room > 0 {
			line = append(line, frag[:min(len(frag), room)]...)
		}
		switch {
		case err == nil:
			fn(line)
			line = line[:0]
		case errors.Is(err, bufio.ErrBufferFull):
			// The middle of a long line: read on.
		default:
			if len(line) > 0 {
				fn(line)
			}
			return
		}
	}
}

func (r *procRunner) Diagnose(context.Context) string {
	return "The program may be built for another computer, miss a library it needs, or not be executable."
}

func (r *procRunner) Stdout() io.ReadCloser { return r.hsR }
func (r *procRunner) Stderr() io.ReadCloser { return r.logR }
func (r *procRunner) Name() string          { return r.name }

func (r *procRunner) Wait(context.Context) error {
	<-r.done
	return r.waitErr
}

func (r *procRunner) Kill(context.Context) error {
	if r.cmd.Process == nil {
		return nil
	}
	if err := r.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

func (r *procRunner) ID() string {
	if r.pid == 0 {
		return ""
	}
	return strconv.Itoa(r.pid)
}

func (r *procRunner) PluginToHost(network, addr string) (string, string, error) {
	return network, addr, nil
}

func (r *procRunner) HostToPlugin(network, addr string) (string, string, error) {
	return network, addr, nil
}

var _ runner.Runner = (*procRunner)(nil)

// lineLog writes what it is given to a logger, one entry per line, each
// cut to MaxLine bytes.
type lineLog struct {
	mu   sync.Mutex
	log  hclog.Logger
	line []byte
}

func (w *lineLog) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		part := b
		if i >= 0 {
			part = b[:i]
		}
		if room := MaxLine - len(w.line); room > 0 {
			w.line = append(w.line, part[:min(len(part), room)]...)
		}
		if i < 0 {
			break
		}
		w.log.Info(string(bytes.TrimSuffix(w.line, []byte("\r"))))
		w.line = w.line[:0]
		b = b[i+1:]
	}
	return n, nil
}
