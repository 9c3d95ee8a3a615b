//go:build !unix

package main

import "time"

// cpuTime is not measured here: the log says toolcpu cost nothing.
func cpuTime() time.Duration { return 0 }
