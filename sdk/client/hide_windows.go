//go:build windows

package client

import (
	"os/exec"
	"syscall"
)

// hideWindow keeps a console window from flashing up for each plugin.
func hideWindow(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true}
}
