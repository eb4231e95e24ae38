package curl

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// opts is one command line, parsed.
type opts struct {
	urls         []string
	silent       bool
	showError    bool
	fail         bool
	failWithBody bool
	head         bool
	include      bool
	verbose      bool
	output       []string // one per URL, in order; "" = stdout
	remoteName   int      // number of -O given
	location     bool
	maxRedirs    int
	maxTime      time.Duration
	connectTO    time.Duration
	writeOut     string
	hasWriteOut  bool
	headers      []string
	method       string
	data         []dataArg
	hasData      bool
	insecure     bool
	userAgent    *string
	user         string
	noProgress   bool
	version      bool
	help         bool
}

// dataArg is one -d/--data-* value: literal, or "@file" to read (with
// -d/--data the file's CR and LF bytes are dropped, as curl does).
type dataArg struct {
	val   string
	file  bool
	strip bool
}

// usageError is a command-line problem: curl prints it with the "try"
// line and exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

type option struct {
	short   byte
	long    string
	hasArg  bool
	boolean bool // accepts the --no- prefix
}

var flags = []option{
	{'s', "silent", false, true},
	{'S', "show-error", false, true},
	{'f', "fail", false, true},
	{0, "fail-with-body", false, true},
	{'I', "head", false, true},
	{'i', "include", false, true},
	{'v', "verbose", false, true},
	{'o', "output", true, false},
	{'O', "remote-name", false, true},
	{'L', "location", false, true},
	{0, "max-redirs", true, false},
	{'m', "max-time", true, false},
	{0, "connect-timeout", true, false},
	{'w', "write-out", true, false},
	{'H', "header", true, false},
	{'X', "request", true, false},
	{'d', "data", true, false},
	{0, "data-raw", true, false},
	{0, "data-binary", true, false},
	{0, "data-ascii", true, false},
	{0, "data-urlencode", true, false},
	{'k', "insecure", false, true},
	{'A', "user-agent", true, false},
	{'u', "user", true, false},
	{0, "url", true, false},
	{0, "no-progress-meter", false, true},
	{0, "compressed", false, true},
	{0, "http1.1", false, false},
	{'4', "ipv4", false, false},
	{'6', "ipv6", false, false},
	{'V', "version", false, false},
	{'h', "help", false, false},
	{'#', "progress-bar", false, true},
	{0, "retry", true, false},
}

func lookupShort(c byte) *option {
	for i := range flags {
		if flags[i].short == c {
			return &flags[i]
		}
	}
	return nil
}

func lookupLong(name string) (*option, bool) {
	for i := range flags {
		if flags[i].long == name {
			return &flags[i], true
		}
	}
	if strings.HasPrefix(name, "no-") {
		for i := range flags {
			if flags[i].boolean && flags[i].long == name[3:] {
				return &flags[i], false
			}
		}
	}
	return nil, true
}

// parseArgs reads curl's command line. Long options take their value as
// the next argument (curl has no --opt=value form); short options may be
// clustered ("-sSf") and take a value from the rest of the cluster or the
// next argument ("-m5", "-o file").
func parseArgs(args []string) (*opts, error) {
	o := &opts{maxRedirs: 50}
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func(shown string) (string, error) {
			if i+1 >= len(args) {
				return "", &usageError{fmt.Sprintf("option %s: requires parameter", shown)}
			}
			i++
			return args[i], nil
		}
		switch {
		case strings.HasPrefix(a, "--") && len(a) > 2:
			f, on := lookupLong(a[2:])
			if f == nil {
				return nil, &usageError{fmt.Sprintf("option %s: is unknown", a)}
			}
			val := ""
			if f.hasArg {
				v, err := next(a)
				if err != nil {
					return nil, err
				}
				val = v
			}
			if err := o.apply(f, on, val, a); err != nil {
				return nil, err
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for j := 1; j < len(a); j++ {
				f := lookupShort(a[j])
				if f == nil {
					return nil, &usageError{fmt.Sprintf("option %s: is unknown", a)}
				}
				shown := "-" + string(a[j])
				val := ""
				if f.hasArg {
					if j+1 < len(a) {
						val = a[j+1:]
					} else {
						v, err := next(shown)
						if err != nil {
							return nil, err
						}
						val = v
					}
					j = len(a)
				}
				if err := o.apply(f, true, val, shown); err != nil {
					return nil, err
				}
			}
		default:
			o.urls = append(o.urls, a)
		}
	}
	return o, nil
}

func (o *opts) apply(f *option, on bool, val, shown string) error {
	switch f.long {
	case "silent":
		o.silent = on
	case "show-error":
		o.showError = on
	case "fail":
		o.fail = on
	case "fail-with-body":
		o.failWithBody = on
	case "head":
		o.head = on
	case "include":
		o.include = on
	case "verbose":
		o.verbose = on
	case "output":
		o.output = append(o.output, val)
	case "remote-name":
		if on {
			o.output = append(o.output, "\x00remote")
		}
	case "location":
		o.location = on
	case "max-redirs":
		n, err := strconv.Atoi(val)
		if err != nil {
			return &usageError{fmt.Sprintf("option %s: expected a proper numerical parameter", shown)}
		}
		o.maxRedirs = n
	case "max-time", "connect-timeout":
		d, err := seconds(val)
		if err != nil {
			return &usageError{fmt.Sprintf("option %s: expected a proper numerical parameter", shown)}
		}
		if f.long == "max-time" {
			o.maxTime = d
		} else {
			o.connectTO = d
		}
	case "write-out":
		o.writeOut, o.hasWriteOut = val, true
	case "header":
		o.headers = append(o.headers, val)
	case "request":
		o.method = val
	case "data", "data-ascii":
		o.data = append(o.data, dataArg{val: val, file: strings.HasPrefix(val, "@"), strip: true})
		o.hasData = true
	case "data-binary":
		o.data = append(o.data, dataArg{val: val, file: strings.HasPrefix(val, "@")})
		o.hasData = true
	case "data-raw":
		o.data = append(o.data, dataArg{val: val})
		o.hasData = true
	case "data-urlencode":
		o.data = append(o.data, dataArg{val: urlencodeData(val)})
		o.hasData = true
	case "insecure":
		o.insecure = on
	case "user-agent":
		ua := val
		o.userAgent = &ua
	case "user":
		o.user = val
	case "url":
		o.urls = append(o.urls, val)
	case "no-progress-meter":
		o.noProgress = on
	case "version":
		o.version = true
	case "help":
		o.help = true
	case "retry":
		if _, err := strconv.Atoi(val); err != nil {
			return &usageError{fmt.Sprintf("option %s: expected a proper numerical parameter", shown)}
		}
	}
	return nil
}

// seconds parses curl's decimal seconds ("5", "2.5").
func seconds(s string) (time.Duration, error) {
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("bad number")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad number")
	}
	return time.Duration(f * float64(time.Second)), nil
}

// urlencodeData implements --data-urlencode's "content" and "name=content"
// forms (the @file forms are not simulated).
func urlencodeData(v string) string {
	if name, content, ok := strings.Cut(v, "="); ok {
		if name == "" {
			return escape(content)
		}
		return name + "=" + escape(content)
	}
	return escape(v)
}

func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
