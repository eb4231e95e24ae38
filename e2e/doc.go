// Package e2e holds end-to-end tests: a whole cluster driven through the
// embedded kubectl (in memory) and, where it is installed, the system
// kubectl against `kubesim start`.
package e2e
