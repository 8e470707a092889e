// Package lib is a library package: ko refuses to build it into an image.
package lib

// Greeting returns a greeting.
func Greeting() string { return "hello" }
