package store

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// ev is an event reduced to what the watch tests compare.
type ev struct {
	Type    string
	Rev     int64
	Key     string
	Value   string
	ModRev  int64
	PrevVal string // "" when PrevKV is nil
}

func summarize(evs []Event) []ev {
	var out []ev
	for _, e := range evs {
		x := ev{Type: e.Type.String(), Rev: e.Rev, Key: e.KV.Key, Value: string(e.KV.Value), ModRev: e.KV.ModRev}
		if e.PrevKV != nil {
			x.PrevVal = string(e.PrevKV.Value)
		}
		out = append(out, x)
	}
	return out
}

// watchSetup makes revisions 1..6:
//
//	1 create /p/a=a1   2 create /q/x=x1   3 update /p/a=a2
//	4 create /p/b=b1   5 delete /p/a      6 update /q/x=x2
var watchSetup = []op{
	{kind: "create", key: "/p/a", value: "a1"},
	{kind: "create", key: "/q/x", value: "x1"},
	{kind: "update", key: "/p/a", value: "a2"},
	{kind: "create", key: "/p/b", value: "b1"},
	{kind: "delete", key: "/p/a"},
	{kind: "update", key: "/q/x", value: "x2"},
}

func TestWatch(t *testing.T) {
	// Revisions 7 and 8, made after Watch.
	live := []op{
		{kind: "create", key: "/p/c", value: "c1"},
		{kind: "update", key: "/q/x", value: "x3"},
	}
	tests := []struct {
		name    string
		history int
		prefix  string
		from    int64
		want    []ev
		wantErr error
	}{
		{name: "from now", prefix: "/p/", from: 0, want: []ev{
			{Type: "PUT", Rev: 7, Key: "/p/c", Value: "c1", ModRev: 7},
		}},
		{name: "from the start", prefix: "/p/", from: 1, want: []ev{
			{Type: "PUT", Rev: 3, Key: "/p/a", Value: "a2", ModRev: 3, PrevVal: "a1"},
			{Type: "PUT", Rev: 4, Key: "/p/b", Value: "b1", ModRev: 4},
			{Type: "DELETE", Rev: 5, Key: "/p/a", Value: "a2", ModRev: 5, PrevVal: "a2"},
			{Type: "PUT", Rev: 7, Key: "/p/c", Value: "c1", ModRev: 7},
		}},
		{name: "everything", prefix: "", from: 4, want: []ev{
			{Type: "DELETE", Rev: 5, Key: "/p/a", Value: "a2", ModRev: 5, PrevVal: "a2"},
			{Type: "PUT", Rev: 6, Key: "/q/x", Value: "x2", ModRev: 6, PrevVal: "x1"},
			{Type: "PUT", Rev: 7, Key: "/p/c", Value: "c1", ModRev: 7},
			{Type: "PUT", Rev: 8, Key: "/q/x", Value: "x3", ModRev: 8, PrevVal: "x2"},
		}},
		{name: "from the current revision", prefix: "/q/", from: 6, want: []ev{
			{Type: "PUT", Rev: 8, Key: "/q/x", Value: "x3", ModRev: 8, PrevVal: "x2"},
		}},
		{name: "from a future revision skips up to it", prefix: "", from: 7, want: []ev{
			{Type: "PUT", Rev: 8, Key: "/q/x", Value: "x3", ModRev: 8, PrevVal: "x2"},
		}},
		{name: "oldest retained minus one", history: 3, prefix: "", from: 3, want: []ev{
			{Type: "PUT", Rev: 4, Key: "/p/b", Value: "b1", ModRev: 4},
			{Type: "DELETE", Rev: 5, Key: "/p/a", Value: "a2", ModRev: 5, PrevVal: "a2"},
			{Type: "PUT", Rev: 6, Key: "/q/x", Value: "x2", ModRev: 6, PrevVal: "x1"},
			{Type: "PUT", Rev: 7, Key: "/p/c", Value: "c1", ModRev: 7},
			{Type: "PUT", Rev: 8, Key: "/q/x", Value: "x3", ModRev: 8, PrevVal: "x2"},
		}},
		{name: "compacted", history: 3, prefix: "", from: 2, wantErr: ErrCompacted},
		{name: "no matching key", prefix: "/r/", from: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, Options{NoSync: true, HistorySize: tc.history})
			mustApply(t, s, watchSetup)
			wantCompact := int64(0)
			if tc.history > 0 {
				wantCompact = 6 - int64(tc.history)
			}
			if got := s.CompactRev(); got != wantCompact {
				t.Errorf("CompactRev() = %d, want %d", got, wantCompact)
			}
			w, err := s.Watch(tc.prefix, tc.from)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Watch(%q, %d): error %v, want %v", tc.prefix, tc.from, err, tc.wantErr)
			}
			if err != nil {
				return
			}
			defer w.Stop()
			mustApply(t, s, live)
			if len(tc.want) > 0 {
				select {
				case <-w.Ready():
				default:
					t.Error("Ready not signalled with events waiting")
				}
			}
			got := summarize(w.Pull())
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if more := w.Pull(); more != nil {
				t.Errorf("second Pull = %v, want nil", more)
			}
		})
	}
}

func TestWatchAfterReopen(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	mustApply(t, s, watchSetup)
	s = reopen(t, s)
	if got := s.CompactRev(); got != 6 {
		t.Errorf("CompactRev() after reopen = %d, want 6", got)
	}
	if _, err := s.Watch("", 5); !errors.Is(err, ErrCompacted) {
		t.Errorf("Watch from 5 after reopen at 6: %v, want ErrCompacted", err)
	}
	w, err := s.Watch("", 6)
	if err != nil {
		t.Fatalf("Watch from the current revision after reopen: %v", err)
	}
	defer w.Stop()
	mustApply(t, s, []op{{kind: "update", key: "/p/b", value: "b2"}})
	want := []ev{{Type: "PUT", Rev: 7, Key: "/p/b", Value: "b2", ModRev: 7, PrevVal: "b1"}}
	if diff := cmp.Diff(want, summarize(w.Pull())); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestWatchStop(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	w, err := s.Watch("", 0)
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, s, []op{{kind: "create", key: "a", value: "1"}})
	w.Stop()
	w.Stop()
	select {
	case <-w.Done():
	default:
		t.Error("Done not closed after Stop")
	}
	mustApply(t, s, []op{{kind: "create", key: "b", value: "1"}})
	// Queued before Stop: still there; after Stop: not delivered.
	want := []ev{{Type: "PUT", Rev: 1, Key: "a", Value: "1", ModRev: 1}}
	if diff := cmp.Diff(want, summarize(w.Pull())); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestWatchReadyCoalesces(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	w, err := s.Watch("", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	// Nobody reads: writers must not block, and the queue keeps everything.
	const n = 1000
	for i := range n {
		if _, err := s.Create(string(rune('a'+i%26))+string(rune('0'+i/26)), nil, nil); err != nil && !errors.Is(err, ErrExists) {
			t.Fatal(err)
		}
	}
	<-w.Ready()
	select {
	case <-w.Ready():
		t.Error("Ready signalled twice for one batch of waiting events")
	default:
	}
	if got := len(w.Pull()); got != int(s.Rev()) {
		t.Errorf("pulled %d events, want %d", got, s.Rev())
	}
}

// TestPullAppendMax: a bounded pull leaves the rest waiting and signalled,
// and successive pulls return every event once, in order.
func TestPullAppendMax(t *testing.T) {
	s := openStore(t, Options{NoSync: true})
	w, err := s.Watch("/p/", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	for i := 0; i < 10; i++ {
		if _, err := s.Create(fmt.Sprintf("/p/%02d", i), []byte("v"), nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []int64
	for round := 0; ; round++ {
		if round > 0 {
			select {
			case <-w.Ready():
			default:
				t.Fatalf("round %d: events left but Ready not signalled", round)
			}
		}
		evs := w.PullAppendMax(nil, 3)
		if len(evs) > 3 {
			t.Fatalf("pulled %d events, want at most 3", len(evs))
		}
		for _, ev := range evs {
			got = append(got, ev.Rev)
		}
		if len(got) == 10 {
			break
		}
		if len(evs) == 0 {
			t.Fatalf("empty pull with %d of 10 events seen", len(got))
		}
	}
	want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("revisions pulled (-want +got):\n%s", diff)
	}
}
