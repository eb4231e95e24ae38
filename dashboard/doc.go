// Package dashboard draws a cluster's placement: nodes as boxes holding
// their pods, each pod with its phase (coloured) and IP, each node with its
// flannel subnet (spec.podCIDR). The same Map feeds two views:
//
//   - Render, the terminal map `kubesim map` prints (ANSI colour only when
//     asked; the CLI asks when stdout is a terminal and NO_COLOR is unset);
//   - Handler, the web page the server serves under /dashboard/ (an HTML
//     page, /dashboard/map.json and /dashboard/events, server-sent events
//     that carry a new Map whenever it changes).
//
// A Map is built from the API's own objects (a NodeList and a PodList), so
// both views read the cluster the way kubectl does: the CLI through the
// HTTPS API with the kubeconfig's token, the server through its API handler
// in-process. The package does not read the wall clock except to pace the
// event stream's polling, and never writes files.
package dashboard
