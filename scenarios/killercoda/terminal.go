package killercoda

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"kubesim/scenarios"
)

// Player plays a scenario for a learner who works in a real shell (kubesim
// scenario play on a terminal), as on killercoda, where the terminal is the
// learner's and the scenario's page sits beside it: Start shows the intro
// and the first step; the shell's scenario commands (step, verify, check,
// next, hint, solution, log, exec N) each call Command. What else the
// learner types runs in their shell, never here. Command may be called
// from several goroutines; calls are served one at a time.
type Player struct {
	mu       sync.Mutex
	p        *player
	shell    shellMessages
	finished bool
}

// NewPlayer prepares sc on env (the session's scripts and clock pump as in
// Play; cfg.Interrupt is not used: a command's context ends when the
// learner interrupts it). ctx bounds background scripts. Close ends it.
func NewPlayer(ctx context.Context, sc *Scenario, env scenarios.Env, cfg PlayConfig) (*Player, error) {
	s, err := newSession(ctx, sc, env, cfg.WorkDir, cfg.ScriptTimeout, cfg.BackgroundTimeout, cfg.ClockRate)
	if err != nil {
		return nil, err
	}
	cfg.Interrupt = nil
	p := &player{s: s, ctx: ctx, out: io.Discard, cfg: cfg, msg: messagesFor(sc.Lang)}
	return &Player{p: p, shell: shellMessagesFor(sc.Lang)}, nil
}

// Close stops the background scripts and removes a temporary work folder.
func (pl *Player) Close() { pl.p.s.close() }

// Start shows the title, the intro and the first step on out and starts
// their scripts.
func (pl *Player) Start(out io.Writer) error {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	pl.p.out = out
	done, err := pl.p.intro(pl.shell.typeHelp)
	pl.finished = done
	return err
}

// Command runs one scenario command (args[0]: step or text, verify or
// check, next, hint, solution, log, exec N, help) with ctx, which the
// learner's Ctrl-C ends, writing to out. It returns the command's exit
// code: 1 when verify finds the step not yet solved or next is refused, 2
// for an unknown command.
func (pl *Player) Command(ctx context.Context, args []string, out io.Writer) int {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	p := pl.p
	p.ctx, p.out = ctx, out
	defer func() { p.out = io.Discard }()
	if len(args) == 0 {
		args = []string{"help"}
	}
	if pl.finished && args[0] != "help" && args[0] != "log" {
		p.printf(p.msg.complete, len(p.s.sc.Steps), len(p.s.sc.Steps))
		return 0
	}
	step := p.step
	var done bool
	var err error
	switch args[0] {
	case "step", "text":
		p.showStep()
		return 0
	case "verify", "check":
		done, err = p.check(p.current())
	case "next":
		if !p.current().Verify.IsZero() {
			p.printf("%s", pl.shell.hasVerify)
			return 1
		}
		done, err = p.advance()
	case "exec":
		p.exec(p.current(), strings.Join(args[1:], " "))
		return 0
	case "hint", "solution", "log", "help":
		if args[0] == "help" {
			p.printf("%s", pl.shell.help)
			return 0
		}
		p.command(args[0])
		return 0
	default:
		fmt.Fprintf(out, "%s: not a scenario command\n%s", args[0], pl.shell.help)
		return 2
	}
	if err != nil {
		fmt.Fprintf(out, "error: %v\n", err)
		return 1
	}
	if done {
		pl.finished = true
		return 0
	}
	if p.step == step {
		return 1
	}
	return 0
}

// shellMessages are the Player's own words where the shell differs from
// Play's prompt.
type shellMessages struct{ typeHelp, help, hasVerify string }

func shellMessagesFor(lang string) shellMessages {
	if lang == "ko" {
		return shellMessages{
			typeHelp:  "이 셸에서 `step`, `verify`, `next`, `hint`, `solution` 을 쓸 수 있습니다 (`kubesim _scenario help`).\n\n",
			hasVerify: "이 단계에는 확인 스크립트가 있습니다. 다 했으면 `verify` 를 입력하세요.\n",
			help: `시나리오 명령:
  step             이 단계의 설명을 다시 보여 줍니다
  verify, check    이 단계의 확인 스크립트를 실행합니다. 통과하면 다음 단계로 넘어갑니다
  next             다음 단계로 넘어갑니다 (확인 스크립트가 없는 단계만)
  hint             이 단계의 힌트를 보여 줍니다
  solution         이 단계의 풀이를 보여 줍니다
  exec N           이 단계의 N번째 {{exec}} 블록("exec N" 으로 표시)을 실행합니다
  log              백그라운드 스크립트의 출력을 보여 줍니다
그 밖의 명령은 이 셸(bash)에서 실행됩니다. exit 로 끝냅니다.
`,
		}
	}
	return shellMessages{
		typeHelp:  "In this shell: `step`, `verify`, `next`, `hint`, `solution` (`kubesim _scenario help` lists them).\n\n",
		hasVerify: "This step has a verify script: type `verify` when you are done.\n",
		help: `Scenario commands:
  step             show this step's text again
  verify, check    run this step's verify script; moves on when it passes
  next             move on (only for a step without a verify script)
  hint             show this step's hints
  solution         show this step's solution
  exec N           run the N-th {{exec}} block of this step (shown as "exec N")
  log              show what background scripts printed
Everything else runs in this shell (bash). exit leaves.
`,
	}
}
