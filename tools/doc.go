// Package tools tests tools people already use against kubesim: a
// controller-runtime manager with a reconciler (TestControllerRuntime),
// helm installing a local chart and running `helm test` (TestHelm), and
// k9s listing pods (TestK9s), and kubesim's own dashboard page in headless
// Chromium through chromedp (TestDashboardBrowser: skips without a browser;
// -update rewrites docs/dashboard.png, the README's picture).
//
// It is a module of its own so that controller-runtime, chromedp and the builds of
// helm and k9s stay out of the main module's go.mod and out of CI's
// `go test ./...`: building helm and k9s from the Go module proxy takes
// minutes on two cores. Run it by hand:
//
//	cd tools && go test ./...
//
// A tool that cannot be built here (no network to the module proxy, no
// go) makes its test skip with the reason.
package tools
