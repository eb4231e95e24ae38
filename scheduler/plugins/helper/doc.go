// Package helper holds small functions shared by plugins, as upstream's
// plugins/helper: score normalisation, the default spreading selector.
//
// It holds no state.
package helper
