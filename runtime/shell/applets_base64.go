package shell

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// base64 [-d] [-i] [-w COLS] [FILE]: coreutils' (and BusyBox's) base64:
// encoded lines wrap at 76 columns (-w 0: never); -d decodes, ignoring
// newlines (-i: any character outside the alphabet) and, on bad input,
// writes what it decoded and fails with "invalid input".
func base64Applet(c *call) int {
	o := getopt(c.args[1:], "diw:", map[string]byte{"decode": 'd', "ignore-garbage": 'i', "wrap": 'w'})
	if o.bad != 0 || o.miss != 0 {
		c.badOption(o)
		return 1
	}
	wrap := 76
	if w := o.val['w']; len(w) > 0 {
		n, err := strconv.Atoi(w[len(w)-1])
		if err != nil || n < 0 {
			c.errorf("invalid wrap size: %s", quoteGNU(w[len(w)-1]))
			return 1
		}
		wrap = n
	}
	file := "-"
	switch len(o.args) {
	case 0:
	case 1:
		file = o.args[0]
	default:
		c.errorf("extra operand %s", quoteGNU(o.args[1]))
		return 1
	}
	in, err := c.readInput(file)
	if err != nil {
		c.errorf("%s: %s", file, strerror(errnoOf(err)))
		return 1
	}
	if o.has('d') {
		var clean strings.Builder
		for _, ch := range string(in) {
			switch {
			case ch == '\n' || ch == '\r':
			case o.has('i') && !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", ch):
			default:
				clean.WriteRune(ch)
			}
		}
		s := clean.String()
		out, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			// What decodes before the bad input is written first.
			if ce, ok := err.(base64.CorruptInputError); ok {
				good := int(ce) / 4 * 4
				out, _ = base64.StdEncoding.DecodeString(s[:good])
			}
			c.out.Write(out)
			c.errorf("invalid input")
			return 1
		}
		c.out.Write(out)
		return 0
	}
	enc := base64.StdEncoding.EncodeToString(in)
	if enc == "" {
		return 0
	}
	if wrap == 0 {
		fmt.Fprintln(c.out, enc)
		return 0
	}
	for i := 0; i < len(enc); i += wrap {
		fmt.Fprintln(c.out, enc[i:min(i+wrap, len(enc))])
	}
	return 0
}

// quoteGNU is coreutils' quoting of an operand in a message: 'x'.
func quoteGNU(s string) string { return "'" + s + "'" }
