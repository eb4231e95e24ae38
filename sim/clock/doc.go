// Package clock is the simulation's virtual clock: the only source of time for
// the deterministic core (sim, scheduler, runtime, net).
//
// Time moves only when a driver advances it. Timers are events ordered by
// (time, sequence); two timers due at the same instant fire in the order they
// were set. The package never reads the wall clock.
package clock
