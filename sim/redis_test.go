package sim

import (
	"bytes"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kubesim/net/fabric"
)

// TestRedisPortForward: port-forward to a redis pod's 6379 carries RESP:
// PING (inline, as nc sends it, and as redis-cli's array) answers +PONG,
// SET and GET keep a value, an unknown command gets redis 7's error, and
// an HTTP client gets an empty reply.
func TestRedisPortForward(t *testing.T) {
	c, err := New(DefaultClusterSpec(), Options{Dir: t.TempDir(), NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Do(func() {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "redis"}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "redis", Image: "redis:7"}}}}
		if _, err := c.Registry.Create(c.res("", "pods"), "default", p, false); err != nil {
			t.Fatal(err)
		}
	})
	c.Advance(time.Minute)
	var cn *fabric.Conn
	c.Do(func() { cn, err = c.PodPortForward("default", "redis", 6379) })
	if err != nil {
		t.Fatal(err)
	}
	in := "PING\r\n*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv1\r\nGET k\r\nGET nokey\r\nFLY away now\r\nQUIT\r\nPING\r\n"
	var out bytes.Buffer
	if err := cn.Serve(strings.NewReader(in), &out, c.Do); err != nil {
		t.Fatal(err)
	}
	want := "+PONG\r\n+PONG\r\n+OK\r\n$2\r\nv1\r\n$-1\r\n-ERR unknown command 'FLY', with args beginning with: 'away' 'now' \r\n+OK\r\n"
	if out.String() != want {
		t.Errorf("RESP session:\n got %q\nwant %q", out.String(), want)
	}
	var resp fabric.Response
	c.Do(func() {
		resp, err = c.Fabric().Do(fabric.Client{}, cn.Local, 6379, fabric.Request{Path: "/"})
	})
	if err != nil || !resp.EmptyReply() {
		t.Errorf("HTTP to redis: %v %v, want an empty reply", err, resp)
	}
}
