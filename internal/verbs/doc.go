// Package verbs runs kubesim's own commands against a cluster: the part of
// the practice shell and of the `kubesim` CLI that is not kubectl.
//
//	curl ARGS...                    curl from the control plane's host network
//	node halt|start|restart NAME    power a node (vagrant halt/up/reload)
//	vagrant status|halt|up|reload [NAME]
//	explain-schedule POD [-n NS]    why the scheduler placed a pod (or did not)
//	image load NAME --from FILE     add an image to every node (FILE: a catalog entry)
//
// The CLI owns them: `kubesim curl|node|vagrant|explain-schedule` sends the
// verb to the serving process (server runs it through the hook the CLI gave
// it), and the practice shell calls Run directly. It must not: read the
// wall clock, serve HTTP, or keep state between calls — every verb reads the
// cluster it is given.
package verbs
