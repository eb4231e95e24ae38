package kubectl

import (
	"net/http"
	"strings"
	"testing"
)

// TestRefuse: while the API is down kubectl prints its own refusal and
// exits 1; up again, it reaches the handler.
func TestRefuse(t *testing.T) {
	reached := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++; http.NotFound(w, r) })
	r, err := New(h, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	down := true
	r.SetRefuse(func() bool { return down })
	var out, errb strings.Builder
	code := r.Run([]string{"get", "pods"}, nil, &out, &errb)
	if code != 1 || reached != 0 || !strings.HasSuffix(errb.String(), "The connection to the server kubesim.invalid was refused - did you specify the right host or port?\n") {
		t.Errorf("while down: exit %d, handler reached %d times\n%s", code, reached, errb.String())
	}
	down = false
	r.Run([]string{"get", "pods"}, nil, &out, &errb)
	if reached == 0 {
		t.Error("the handler was not reached once up")
	}
}
