package killercoda

// messages are Play's own words, in the scenario's language (Korean for a
// scenario loaded with lang "ko", English otherwise). What scripts and
// kubectl print is not translated.
type messages struct {
	cluster, typeHelp, help, left, noLog, hasVerify, noHint, noSolution,
	noExecs, execUsage, nothingToCheck, notYet, solved, stepHeader,
	complete, fold string
}

var english = messages{
	cluster:  "Cluster: %s (%s)\n",
	typeHelp: "Type `help` for the commands.\n\n",
	help: `Commands:
  check      run this step's verify script; moves on when it passes
  hint       show this step's hints
  solution   show this step's solution
  exec N     run the N-th {{exec}} block of this step (shown as "exec N")
  next       move on (only for a step without a verify script)
  text       show this step's text again
  log        show what background scripts printed
  help       this list
  quit       leave the scenario
Anything else runs in the practice shell (kubectl, k, curl, …).
`,
	left:           "Left the scenario at step %d of %d.\n",
	noLog:          "(no background output yet; log: %s)\n",
	hasVerify:      "This step has a verify script: type `check` when you are done.\n",
	noHint:         "This step has no hint.\n",
	noSolution:     "This step has no solution.\n",
	noExecs:        "This step has no {{exec}} blocks.\n",
	execUsage:      "Usage: exec N, with N from 1 to %d.\n",
	nothingToCheck: "This step has nothing to check.\n",
	notYet:         "✗ Not yet: %s\n",
	solved:         "✔ Step %d solved.\n\n",
	stepHeader:     "── Step %d of %d: %s ──\n\n",
	complete:       "Scenario complete: %d of %d steps done.\n",
	fold:           "(type `%s` to show)",
}

var korean = messages{
	cluster:  "클러스터: %s (%s)\n",
	typeHelp: "명령 목록을 보려면 `help` 를 입력하세요.\n\n",
	help: `명령:
  check      이 단계의 확인 스크립트를 실행합니다. 통과하면 다음 단계로 넘어갑니다
  hint       이 단계의 힌트를 보여 줍니다
  solution   이 단계의 풀이를 보여 줍니다
  exec N     이 단계의 N번째 {{exec}} 블록("exec N" 으로 표시)을 실행합니다
  next       다음 단계로 넘어갑니다 (확인 스크립트가 없는 단계만)
  text       이 단계의 설명을 다시 보여 줍니다
  log        백그라운드 스크립트의 출력을 보여 줍니다
  help       이 목록
  quit       시나리오를 끝냅니다
그 밖의 입력은 연습용 셸(kubectl, k, curl, …)에서 실행됩니다.
`,
	left:           "%d/%d 단계에서 시나리오를 끝냈습니다.\n",
	noLog:          "(아직 백그라운드 출력이 없습니다. 로그: %s)\n",
	hasVerify:      "이 단계에는 확인 스크립트가 있습니다. 다 했으면 `check` 를 입력하세요.\n",
	noHint:         "이 단계에는 힌트가 없습니다.\n",
	noSolution:     "이 단계에는 풀이가 없습니다.\n",
	noExecs:        "이 단계에는 {{exec}} 블록이 없습니다.\n",
	execUsage:      "사용법: exec N (N은 1부터 %d까지)\n",
	nothingToCheck: "이 단계에는 확인할 것이 없습니다.\n",
	notYet:         "✗ 아직 아닙니다: %s\n",
	solved:         "✔ %d단계 완료.\n\n",
	stepHeader:     "── %d/%d 단계: %[3]s ──\n\n",
	complete:       "시나리오 완료: %d/%d 단계를 마쳤습니다.\n",
	fold:           "(`%s` 를 입력하면 보입니다)",
}

func messagesFor(lang string) messages {
	if lang == "ko" {
		return korean
	}
	return english
}
