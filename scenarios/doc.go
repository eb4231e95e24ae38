// Package scenarios is the home of everything a learner or a CI job plays
// against a simulated cluster: killercoda scenarios, transcripts, and the
// built-in lectures. This package holds only Env, the small interface the
// cluster side implements; the work is in the subpackages:
//
//	scenarios/killercoda  load killercoda (and Katacoda) scenario folders and
//	                      courses, map backend.imageid to a topology, run the
//	                      scripts in real bash, Play (interactive) and Test (CI)
//	scenarios/transcript  parse transcripts and Replay them with go-cmp diffs
//	scenarios/builtin     the project's own scenarios and transcripts,
//	                      embedded in the binary
//
// What these packages must not do: build or reach into a cluster (they see
// only Env), import sim/, scheduler/, runtime/ or net/, or print anything
// that depends on map order. They are not part of the deterministic core:
// scripts are real processes with wall-clock time limits, but transcripts
// never read the wall clock.
//
// # Transcript format
//
// A transcript is a UTF-8 text file that reads like a shell session. Lines
// end at "\n"; a "\r" before it is part of the line (output that ends its
// lines in CRLF, as nginx's error pages do, keeps them). Each line is one
// of:
//
//	$ COMMAND              a command, run through Env.Run as the practice
//	                       shell runs it. A line ending in "\" continues on
//	                       the next line (the backslash and newline go, as in
//	                       a shell).
//	OUTPUT                 every line after a command, up to the next "$ "
//	                       line or "# kubesim:" line, is that command's
//	                       expected output: stdout and stderr together, as a
//	                       terminal shows them.
//	# kubesim: NAME ARGS   a directive (below). It also ends an output block.
//	# anything else        a comment, but only outside output: inside a
//	                       command's output a "#" line is output. Put
//	                       comments before the first command or after a
//	                       directive.
//	(blank)                ignored outside output.
//
// An output line that would start with "$ " or "# kubesim:" is written with
// a leading backslash, which is dropped ("\$ 5" expects "$ 5"); so is the
// first backslash of any output line ("\\n" expects "\n"). Anything else in
// the file outside output is an error naming file and line.
//
// Directives:
//
//	seed N             the cluster's seed. Must come before the first
//	                   command; the caller reads Transcript.Seed and builds
//	                   the cluster with it. Replay skips it.
//	cluster NAME       the built-in cluster spec to build ("bare-machines":
//	                   the lecture's VMs before kubeadm; default the
//	                   lecture's cluster). Before the first command, like
//	                   seed; the caller reads Transcript.Cluster.
//	advance DURATION   move the virtual clock (Env.Advance). Durations are
//	                   written the way kubectl prints ages: 2d12h, 9h,
//	                   2m22s, 1h30m, 500ms.
//	exit N             directly after a command's output: the command's
//	                   exit code must be N. Without it, the exit code must
//	                   be 0.
//	halt NODE          power a node off (Env.Directive), as "vagrant halt".
//	start NODE         power it on again.
//	restart-node NODE  reboot a node: its containers restart, so its pods'
//	                   RESTARTS go up by one.
//
// An unknown directive or a wrong number of arguments is an error naming
// file and line.
//
// # Comparing output
//
// Output is compared line by line, byte for byte, after dropping the final
// newline and trailing blank lines on both sides (so a blank line may
// separate one command's output from the next command). Where output holds
// something no simulator can reproduce, the transcript writes a pattern in
// double braces:
//
//	{{suffix5}}  exactly 5 characters of kubectl's random-suffix alphabet
//	             bcdfghjklmnpqrstvwxz2456789 ({{suffixN}} for any N 1…63)
//	{{hash}}     1 to 10 characters of that alphabet (a pod-template-hash:
//	             its length depends on the hash value)
//	{{int}}      one or more digits
//	{{any}}      any text, possibly empty, up to what follows the pattern
//	{{pad}}      one or more spaces
//
// Column alignment. kubectl pads table columns to the widest cell. A
// fixed-width pattern ({{suffixN}}) matches a field of the same width, so
// the padding after it is compared byte for byte like any other text: this
// is what random pod-name suffixes need. A variable-width pattern ({{hash}},
// {{int}}, {{any}}) absorbs padding: the first run of spaces after it on the
// same line matches any run of one or more spaces, so a field one character
// shorter or longer still matches. That does not cover a variable field
// that is the widest in its column, because then every row's padding
// changes: write {{pad}} in the other rows of that column, or avoid the
// variable pattern. The transcript file itself does not look aligned where
// patterns are used ("{{suffix5}}" is 11 characters standing for 5); that is
// expected.
//
// Any other text in double braces ("{{ .Values.image }}") is literal.
//
// A mismatch stops the replay with a *transcript.MismatchError naming file,
// line and command, with a go-cmp diff of the output lines (-want +got) in
// which lines that matched their pattern show the actual text.
//
// transcript.Update is the transcript's -update: it replays without
// stopping and rewrites each command's expected output (and "exit"
// directives) from what the cluster printed, keeping every line that still
// matches — patterns included — as it was written.
//
// # Killercoda scenarios
//
// See package killercoda for what is read and how scripts run. Two
// additions to the format, both invisible to killercoda itself: the imageid
// "kubesim-lecture" (the lecture's m/w1/w2 cluster, Kubernetes v1.27.1), and
// translations — index.LANG.json beside index.json, naming its own text
// files and sharing the scripts (killercoda.LoadLang).
package scenarios
