package hosts

import (
	"fmt"
	"strings"

	"kubesim/runtime/shell"
)

// sudo runs its command: the host's shells are root's already, as a
// Vagrant user's `sudo kubeadm upgrade apply` or `sudo apt-get install`
// becomes on the machine. Options that matter to root are accepted; VAR=value
// words before the command set its environment.
func sudo(c *shell.Cmd) int {
	args := c.Args[1:]
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		a := args[0]
		args = args[1:]
		switch {
		case a == "--":
			goto run
		case strings.Contains("-u -g -C -D -p -r -t -T -U -R", a) && len(a) == 2 && len(args) > 0:
			if a == "-u" && args[0] != "root" && args[0] != "#0" {
				fmt.Fprintf(c.Stderr, "sudo: unknown user %s\nsudo: error initializing audit plugin sudoers_audit\n", args[0])
				return 1
			}
			args = args[1:]
		case a == "-V" || a == "--version":
			fmt.Fprintln(c.Stdout, "Sudo version 1.9.9\nSudoers policy plugin version 1.9.9\nSudoers file grammar version 48\nSudoers I/O plugin version 1.9.9\nSudoers audit plugin version 1.9.9")
			return 0
		}
	}
run:
	if len(args) == 0 {
		fmt.Fprint(c.Stderr, "usage: sudo -h | -K | -k | -V\nusage: sudo -v [-ABknS] [-g group] [-h host] [-p prompt] [-u user]\nusage: sudo -l [-ABknS] [-g group] [-h host] [-p prompt] [-U user] [-u user]\n            [command]\nusage: sudo [-ABbEHknPS] [-r role] [-t type] [-C num] [-D directory] [-g\n            group] [-h host] [-p prompt] [-R directory] [-T timeout] [-u\n            user] [VAR=value] [-i|-s] [<command>]\nusage: sudo -e [-ABknS] [-r role] [-t type] [-C num] [-D directory] [-g\n            group] [-h host] [-p prompt] [-R directory] [-T timeout] [-u\n            user] file ...\n")
		return 1
	}
	if strings.Contains(args[0], "=") {
		return c.Exec(append([]string{"env"}, args...))
	}
	return c.Exec(args)
}
