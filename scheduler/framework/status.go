package framework

import (
	"errors"
	"strings"
)

// Code is the outcome of a plugin call, as kube-scheduler's framework.Code.
type Code int

// Status codes. A nil *Status means Success.
const (
	// Success: the plugin ran and the pod may proceed.
	Success Code = iota
	// Error: an internal error; the pod is requeued with backoff.
	Error
	// Unschedulable: the pod does not fit, but preemption might help.
	Unschedulable
	// UnschedulableAndUnresolvable: the pod does not fit and preemption cannot help.
	UnschedulableAndUnresolvable
	// Wait is reserved for Permit (not used).
	Wait
	// Skip: returned by PreFilter/PreScore to skip the plugin's Filter/Score for this cycle.
	Skip
)

var codeNames = []string{"Success", "Error", "Unschedulable", "UnschedulableAndUnresolvable", "Wait", "Skip"}

func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Unknown"
}

// Status is the result of a plugin call: a code, human-readable reasons (the
// exact upstream texts, counted into FailedScheduling messages), an optional
// error and the name of the plugin that produced it.
//
// A Status returned from a plugin must not be mutated afterwards by the
// plugin; the framework sets the plugin name only when it is empty. Plugins
// may return shared, pre-built statuses created with WithPlugin.
type Status struct {
	code    Code
	reasons []string
	err     error
	plugin  string
}

// NewStatus makes a Status with the given code and reasons.
func NewStatus(code Code, reasons ...string) *Status {
	return &Status{code: code, reasons: reasons}
}

// AsStatus wraps an error into a Status with code Error.
func AsStatus(err error) *Status {
	if err == nil {
		return nil
	}
	return &Status{code: Error, reasons: []string{err.Error()}, err: err}
}

// Code returns the code; nil is Success.
func (s *Status) Code() Code {
	if s == nil {
		return Success
	}
	return s.code
}

// IsSuccess reports whether the status is nil or Success.
func (s *Status) IsSuccess() bool { return s.Code() == Success }

// IsSkip reports whether the status is Skip.
func (s *Status) IsSkip() bool { return s.Code() == Skip }

// IsUnschedulable reports Unschedulable or UnschedulableAndUnresolvable.
func (s *Status) IsUnschedulable() bool {
	c := s.Code()
	return c == Unschedulable || c == UnschedulableAndUnresolvable
}

// Reasons returns the reasons (shared; do not modify).
func (s *Status) Reasons() []string {
	if s == nil {
		return nil
	}
	return s.reasons
}

// Message joins the reasons with ", ", as upstream.
func (s *Status) Message() string {
	if s == nil {
		return ""
	}
	return strings.Join(s.reasons, ", ")
}

// Plugin is the name of the plugin that produced the status ("" if unknown).
func (s *Status) Plugin() string {
	if s == nil {
		return ""
	}
	return s.plugin
}

// WithPlugin sets the plugin name and returns s, for building shared statuses.
func (s *Status) WithPlugin(name string) *Status {
	s.plugin = name
	return s
}

// AsError returns nil for success/unschedulable-free statuses, else an error.
func (s *Status) AsError() error {
	if s.IsSuccess() || s.IsSkip() {
		return nil
	}
	if s.err != nil {
		return s.err
	}
	return errors.New(s.Message())
}

// withPluginCopy returns s with plugin set to name, copying s if it already
// names another plugin so shared statuses are never mutated.
func withPluginCopy(s *Status, name string) *Status {
	if s.plugin == name {
		return s
	}
	if s.plugin == "" {
		s.plugin = name
		return s
	}
	c := *s
	c.plugin = name
	return &c
}

// SetPlugin is withPluginCopy for the scheduler package.
func SetPlugin(s *Status, name string) *Status { return withPluginCopy(s, name) }

// SkipStatus is a shared Skip status for PreFilter/PreScore; never modify it.
var SkipStatus = NewStatus(Skip)
