// Package testutil holds test support for the scheduler: chained builders
// (MakePod().Name("p").Req("cpu", "1").Obj(), MakeNode()...), a fake
// framework.Handle over fixed nodes and pods, and Run, which drives one
// plugin through its extension points. Production code must not import it.
package testutil
