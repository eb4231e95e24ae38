package shell

import (
	"strings"
	"sync/atomic"
	"time"

	"mvdan.cc/sh/v3/syntax"
)

// sleepsThatMayPark finds the sleep commands whose loop may park: every
// loop around them is a while/until loop that assigns nothing, reads no
// clock, random number, status or stdin, and neither the sleep nor its loops
// sit in a function, a pipeline, a background job or a command substitution.
// For such a loop the state that decides its next pass is the filesystem
// alone, so two passes that change nothing mean every later pass changes
// nothing until the filesystem does.
func sleepsThatMayPark(f *syntax.File) map[syntax.Pos]bool {
	out := map[syntax.Pos]bool{}
	var stack []syntax.Node
	syntax.Walk(f, func(n syntax.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		ce, ok := n.(*syntax.CallExpr)
		if !ok || len(ce.Args) == 0 || ce.Args[0].Lit() != "sleep" {
			return true
		}
		loops := 0
		for i := len(stack) - 2; i >= 0; i-- {
			switch a := stack[i].(type) {
			case *syntax.WhileClause:
				if !pureLoop(a) {
					return true
				}
				loops++
			case *syntax.ForClause, *syntax.FuncDecl, *syntax.CmdSubst, *syntax.Subshell, *syntax.ProcSubst:
				return true
			case *syntax.BinaryCmd:
				if a.Op == syntax.Pipe || a.Op == syntax.PipeAll {
					return true
				}
			case *syntax.Stmt:
				if a.Background || a.Coprocess {
					return true
				}
			}
		}
		if loops > 0 {
			out[ce.Pos()] = true
		}
		return true
	})
	return out
}

// stateful are builtins that change or read the shell's state.
var stateful = map[string]bool{
	"read": true, "export": true, "unset": true, "local": true, "declare": true, "typeset": true,
	"readonly": true, "shift": true, "set": true, "cd": true, "pushd": true, "popd": true, "eval": true,
	"source": true, ".": true, "exec": true, "trap": true, "getopts": true, "let": true, "alias": true,
	"unalias": true, "umask": true, "mapfile": true, "readarray": true, "wait": true, "shopt": true,
}

func pureLoop(w *syntax.WhileClause) bool {
	pure := true
	syntax.Walk(w, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.CallExpr:
			if len(x.Assigns) > 0 || len(x.Args) > 0 && stateful[x.Args[0].Lit()] {
				pure = false
			}
		case *syntax.DeclClause, *syntax.ArithmCmd, *syntax.ArithmExp, *syntax.LetClause, *syntax.ForClause,
			*syntax.FuncDecl, *syntax.CoprocClause:
			pure = false
		case *syntax.ParamExp:
			if x.Exp != nil && x.Exp.Op == syntax.AssignUnset || x.Exp != nil && x.Exp.Op == syntax.AssignUnsetOrNull {
				pure = false
			}
			switch x.Param.Value {
			case "RANDOM", "SECONDS", "?", "!", "EPOCHSECONDS", "EPOCHREALTIME", "SRANDOM", "BASHPID", "LINENO":
				pure = false
			}
		case *syntax.Stmt:
			if x.Background {
				pure = false
			}
		}
		return pure
	})
	return pure
}

type snapKey struct {
	ru  *runner
	pos syntax.Pos
}

type snap struct {
	args   string
	gen    uint64
	out    int64
	impure uint64
	at     time.Time
}

// parkIfIdle decides whether a sleep may park: the same sleep ran last time
// with nothing changed in between.
func (c *call) parkIfIdle(d time.Duration) *park {
	if c.ru == nil || !c.ru.eligible[c.pos] {
		return nil
	}
	p := c.p
	now := p.Now()
	s := snap{args: strings.Join(c.args, "\x00"), gen: p.fs.Generation(), out: atomic.LoadInt64(&p.out), impure: p.impure.Load(), at: now}
	k := snapKey{c.ru, c.pos}
	p.mu.Lock()
	prev, ok := p.snaps[k]
	p.snaps[k] = s
	p.mu.Unlock()
	if !ok || prev.args != s.args || prev.gen != s.gen || prev.out != s.out || prev.impure != s.impure {
		return nil
	}
	period := now.Sub(prev.at)
	if period <= 0 || period != d {
		return nil
	}
	return &park{gen: s.gen, period: period}
}
