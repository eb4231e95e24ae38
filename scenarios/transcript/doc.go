// Package transcript reads kubesim transcripts and replays them against a
// cluster (scenarios.Env), comparing what each command prints with what the
// transcript expects.
//
// It owns the transcript format (parser, patterns, replay, mismatch
// reporting). It must not know how the cluster works: it reaches it only
// through scenarios.Env, and it never reads the wall clock — a replay is as
// deterministic as the Env behind it.
//
// The format is described in full in the documentation of package
// kubesim/scenarios (doc.go one level up); in short:
//
//	# a comment (only outside a command's output)
//	# kubesim: seed 42
//	# kubesim: advance 2d12h
//	$ kubectl get pods -n kube-system
//	NAME                                    READY   STATUS    RESTARTS     AGE
//	coredns-{{hash}}-{{suffix5}}                1/1     Running   0            2d12h
//	$ curl http://10.244.9.9
//	curl: (7) Failed to connect to 10.244.9.9 port 80 after 0 ms: Couldn't connect to server
//	# kubesim: exit 7
package transcript
