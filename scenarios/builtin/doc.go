// Package builtin holds the project's own scenarios and transcripts,
// embedded in the binary so that `kubesim scenario play lecture-04` and
// `kubesim replay lecture-04` work with no files on disk.
//
// Content (content/, written for kubesim in its own words):
//
//	scenarios/lecture-04               the lecture as a killercoda scenario
//	                                   on the lecture's m/w1/w2 cluster
//	scenarios/scheduling-basics        labels, nodeSelector, taints and
//	                                   tolerations on a two-node cluster
//	scenarios/deployment-scale-expose  a Deployment created, scaled,
//	                                   exposed and updated
//	scenarios/persistent-storage       claims of the default StorageClass,
//	                                   data kept across pods, a Retain PV
//	scenarios/pods-volumes-probes      two containers sharing an emptyDir
//	                                   (one read-only), an init container,
//	                                   a ConfigMap volume and its update,
//	                                   the docs' liveness-exec restart
//	scenarios/autoscaling              kubectl top, an HPA scaling
//	                                   php-apache up under load and down
//	transcripts/lecture-04.txt         the lecture as a replayable transcript
//
// Every scenario is written in English (index.json, *.md) and Korean
// (index.ko.json, *.ko.md); both indexes share the verify scripts, and the
// tests check that both languages have the same {{exec}} blocks.
//
// Tests: every scenario loads in both languages with the same blocks and
// bash-valid scripts; lecture-04 passes killercoda.Test and plays to its end
// (piped, and in a real terminal under tmux: TestTmuxPlayLecture, which
// plays `$KUBESIM_BINARY scenario play lecture-04` when KUBESIM_BINARY is
// set) with kubectl/curl shims from testdata/fakebin; the lecture
// transcript replays against the lecture's own output and fails with a
// readable diff when one character changes.
//
// It owns only the embedded files and the lookups by name; loading,
// playing and replaying are scenarios/killercoda's and scenarios/transcript's.
// It must not read anything from disk.
package builtin
