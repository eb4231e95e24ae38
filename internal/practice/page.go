package practice

import (
	"io/fs"
	"sync/atomic"

	"kubesim/dashboard"
	"kubesim/scenarios/killercoda"
)

// FollowScenario makes the dashboard of the Env's served cluster show the
// page of sc the learner is on, beside the map. It returns the
// PlayConfig.OnStep to give the player.
func (e *Env) FollowScenario(sc *killercoda.Scenario) func(step int) {
	on, src := scenarioPages(sc)
	e.page.Store(&src)
	if e.served != nil {
		e.served.SetPage(src)
	}
	return on
}

// scenarioPages returns an OnStep that records the page shown and the
// PageSource that draws it (none until the first page is shown).
func scenarioPages(sc *killercoda.Scenario) (func(step int), dashboard.PageSource) {
	var cur atomic.Int64
	cur.Store(-2) // nothing shown yet
	on := func(step int) { cur.Store(int64(step)) }
	src := func() (dashboard.Page, fs.FS, bool) {
		i := int(cur.Load())
		if i == -2 {
			return dashboard.Page{}, nil, false
		}
		title, body := sc.PageHTML(i, dashboard.FilesPrefix)
		return dashboard.Page{Scenario: sc.Title, Title: title, Step: i + 1, Steps: len(sc.Steps), HTML: body}, sc.Files(), true
	}
	return on, src
}
