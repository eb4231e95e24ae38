package killercoda

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"kubesim/scenarios"
)

// PlayConfig configures Play. The zero value is usable.
type PlayConfig struct {
	// WorkDir is the scripts' working directory; empty: a temporary one,
	// removed when Play returns.
	WorkDir string
	// ScriptTimeout limits each script and block (default
	// DefaultScriptTimeout); BackgroundTimeout limits background scripts
	// (default: ScriptTimeout).
	ScriptTimeout     time.Duration
	BackgroundTimeout time.Duration
	// Settle, when positive, is passed to Env.Advance before each `check`
	// (for a cluster whose clock does not follow the wall clock).
	Settle time.Duration
	// ClockRate: while a script or block runs (background scripts too), the
	// virtual clock moves ClockRate times as fast as the wall clock, so that
	// scripts that poll see the cluster progress (default DefaultClockRate;
	// negative: never). Env calls stay serialised: the pump never advances
	// while a typed command runs.
	ClockRate float64
	// Interrupt is the learner's Ctrl+C (the CLI forwards os.Interrupt
	// here). A value received while a typed command, an {{exec}} block, a
	// verify or a foreground script runs stops it: its context is canceled
	// (a script's process group is killed) and the prompt comes back.
	// Values that arrive at the prompt are dropped. Nil: no interrupts.
	Interrupt <-chan struct{}
	// OnStep, if set, is told each page the learner is shown: the step's
	// index into Scenario.Steps, -1 for the intro, len(Steps) for the
	// finish (a web view of the scenario follows it).
	OnStep func(step int)
}

// Play runs a scenario interactively: it shows the intro, then each step's
// text rendered for a terminal, and reads commands from in until the last
// step is solved, the learner types quit, or in ends. Typed commands that
// are not Play's own go to env.Run. {{exec}} blocks (`exec N`) and scripts
// run in real bash with env.ScriptEnv; background scripts start when their
// page starts and write to background.log in the work directory.
//
// Play returns nil when the scenario is finished or left; an error only when
// the environment fails or ctx ends.
func Play(ctx context.Context, sc *Scenario, env scenarios.Env, in io.Reader, out io.Writer, cfg PlayConfig) error {
	s, err := newSession(ctx, sc, env, cfg.WorkDir, cfg.ScriptTimeout, cfg.BackgroundTimeout, cfg.ClockRate)
	if err != nil {
		return err
	}
	defer s.close()
	p := &player{s: s, ctx: ctx, out: out, cfg: cfg, lines: bufio.NewScanner(in), msg: messagesFor(sc.Lang)}
	return p.play()
}

type player struct {
	s     *session
	ctx   context.Context
	out   io.Writer
	cfg   PlayConfig
	lines *bufio.Scanner
	step  int // index into Steps
	msg   messages
}

func (p *player) printf(format string, args ...any) { fmt.Fprintf(p.out, format, args...) }

func (p *player) play() error {
	sc := p.s.sc
	if done, err := p.intro(p.msg.typeHelp); done {
		return err
	}
	for {
		p.printf("[%d/%d] $ ", p.step+1, len(sc.Steps))
		if !p.lines.Scan() {
			p.printf("\n")
			return p.lines.Err()
		}
		if err := p.ctx.Err(); err != nil {
			return err
		}
		done, err := p.command(strings.TrimSpace(p.lines.Text()))
		if err != nil || done {
			return err
		}
	}
}

// intro shows the title, the intro and the first step (typeHelp says how
// to get the commands), and starts their pages' scripts; done when the
// scenario has no steps.
func (p *player) intro(typeHelp string) (done bool, err error) {
	sc := p.s.sc
	p.printf("%s\n", sc.Title)
	if sc.Description != "" {
		p.printf("%s\n", sc.Description)
	}
	var names []string
	for _, n := range sc.Topology.Nodes {
		names = append(names, n.Name)
	}
	p.printf(p.msg.cluster, strings.Join(names, ", "), sc.ImageID)
	p.printf("%s", typeHelp)
	p.startPage("intro", sc.Intro)
	p.onStep(-1)
	if sc.Intro.Text != nil && len(sc.Intro.Text.Blocks) > 0 {
		Render(p.out, sc.Intro.Text, RenderOptions{Lang: sc.Lang})
		p.printf("\n")
	}
	if len(sc.Steps) == 0 {
		return true, p.finish()
	}
	p.startPage("step 1", sc.Steps[0].Page)
	p.showStep()
	return false, nil
}

// startPage starts a page's background script and runs its foreground one.
func (p *player) startPage(where string, pg Page) {
	if !pg.Background.IsZero() {
		p.s.startBackground(where, pg.Background, nil)
	}
	if !pg.Foreground.IsZero() {
		var r ScriptResult
		p.interruptible(func(ctx context.Context) { r = p.s.foreground(ctx, where, pg.Foreground, p.out) })
		if !r.OK() {
			p.printf("%s\n", p.describe(r))
		}
	}
}

// interruptible runs f with a context that a value on cfg.Interrupt
// cancels, and reports whether that happened. Interrupts left over from the
// prompt are dropped first.
func (p *player) interruptible(f func(ctx context.Context)) (interrupted bool) {
	if p.cfg.Interrupt == nil {
		f(p.ctx)
		return false
	}
	for drained := false; !drained; {
		select {
		case <-p.cfg.Interrupt:
		default:
			drained = true
		}
	}
	ctx, cancel := context.WithCancel(p.ctx)
	defer cancel()
	done := make(chan struct{})
	hit := make(chan bool, 1)
	go func() {
		select {
		case <-p.cfg.Interrupt:
			cancel()
			hit <- true
		case <-done:
			hit <- false
		}
	}()
	f(ctx)
	close(done)
	return <-hit
}

// describe and summary word an interrupted script as such.
func (p *player) describe(r ScriptResult) string {
	if errors.Is(r.Err, context.Canceled) && p.ctx.Err() == nil {
		return r.What + " interrupted"
	}
	return r.Describe()
}

func (p *player) summary(r ScriptResult) string {
	if errors.Is(r.Err, context.Canceled) && p.ctx.Err() == nil {
		return r.What + " interrupted"
	}
	return r.Summary()
}

func (p *player) onStep(i int) {
	if p.cfg.OnStep != nil {
		p.cfg.OnStep(i)
	}
}

func (p *player) current() Step { return p.s.sc.Steps[p.step] }

func (p *player) showStep() {
	st := p.current()
	p.onStep(p.step)
	p.printf(p.msg.stepHeader, p.step+1, len(p.s.sc.Steps), st.Title)
	Render(p.out, st.Text, RenderOptions{Lang: p.s.sc.Lang})
	p.printf("\n")
}

// command handles one typed line; done is true when Play should return.
func (p *player) command(line string) (done bool, err error) {
	word, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	st := p.current()
	switch {
	case line == "":
	case line == "help":
		p.printf("%s", p.msg.help)
	case line == "quit" || line == "exit":
		p.printf(p.msg.left, p.step+1, len(p.s.sc.Steps))
		return true, nil
	case line == "text":
		p.showStep()
	case line == "log":
		data, err := os.ReadFile(p.s.logPath)
		if err != nil || len(data) == 0 {
			p.printf(p.msg.noLog, p.s.logPath)
			break
		}
		p.printf("%s", data)
	case line == "hint" || line == "solution":
		p.details(st, line == "hint")
	case word == "exec":
		p.exec(st, arg)
	case line == "check":
		return p.check(st)
	case line == "next":
		if !st.Verify.IsZero() {
			p.printf("%s", p.msg.hasVerify)
			break
		}
		return p.advance()
	default:
		var err error
		interrupted := p.interruptible(func(ctx context.Context) {
			p.s.clock.locked(func() { _, err = p.s.env.Run(ctx, line, p.out, p.out) })
		})
		if interrupted {
			p.printf("^C\n")
			break
		}
		if err != nil {
			return true, err
		}
	}
	return false, nil
}

func (p *player) details(st Step, hint bool) {
	blocks := st.Text.Details(hint)
	if !hint && len(blocks) == 0 && st.Answer != nil {
		Render(p.out, st.Answer, RenderOptions{ShowDetails: true})
		return
	}
	if len(blocks) == 0 {
		if hint {
			p.printf("%s", p.msg.noHint)
		} else {
			p.printf("%s", p.msg.noSolution)
		}
		return
	}
	renderBlocks(p.out, blocks, RenderOptions{ShowDetails: true}, "")
}

func (p *player) exec(st Step, arg string) {
	execs := stepExecs(st)
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || n > len(execs) {
		if len(execs) == 0 {
			p.printf("%s", p.msg.noExecs)
		} else {
			p.printf(p.msg.execUsage, len(execs))
		}
		return
	}
	e := execs[n-1]
	for _, l := range strings.Split(e.Code, "\n") {
		p.printf("$ %s\n", l)
	}
	var r ScriptResult
	p.interruptible(func(ctx context.Context) { r = p.s.exec(ctx, e, p.out) })
	if !r.OK() {
		p.printf("(%s)\n", p.summary(r))
	}
}

func (p *player) check(st Step) (bool, error) {
	if st.Verify.IsZero() {
		p.printf("%s", p.msg.nothingToCheck)
		return p.advance()
	}
	if p.cfg.Settle > 0 {
		if err := p.s.clock.advance(p.cfg.Settle); err != nil {
			return true, err
		}
	}
	var buf strings.Builder
	var r ScriptResult
	p.interruptible(func(ctx context.Context) { r = p.s.verify(ctx, st, &buf) })
	if !r.OK() {
		if r.TimedOut || r.Err != nil {
			p.printf("✗ %s\n", p.describe(r))
		} else {
			p.printf(p.msg.notYet, r.Describe())
		}
		return false, nil
	}
	p.printf(p.msg.solved, p.step+1)
	return p.advance()
}

// advance moves to the next step, or to the finish after the last.
func (p *player) advance() (bool, error) {
	if p.step+1 >= len(p.s.sc.Steps) {
		return true, p.finish()
	}
	p.step++
	p.startPage(fmt.Sprintf("step %d", p.step+1), p.current().Page)
	p.showStep()
	return false, nil
}

func (p *player) finish() error {
	fin := p.s.sc.Finish
	p.startPage("finish", fin)
	p.onStep(len(p.s.sc.Steps))
	if fin.Text != nil && len(fin.Text.Blocks) > 0 {
		Render(p.out, fin.Text, RenderOptions{Lang: p.s.sc.Lang})
		p.printf("\n")
	}
	p.printf(p.msg.complete, len(p.s.sc.Steps), len(p.s.sc.Steps))
	return nil
}
