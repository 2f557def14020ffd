// Reads "A<TAB>B" lines and prints how golang.org/x/mod/semver orders them:
// "<", "=", ">", or "invalid" when either is not a valid Go semver.
// Used by scripts/version-differential.sh.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		p := strings.SplitN(in.Text(), "\t", 2)
		if len(p) != 2 || !semver.IsValid(p[0]) || !semver.IsValid(p[1]) {
			fmt.Fprintln(out, "invalid")
			continue
		}
		switch semver.Compare(p[0], p[1]) {
		case -1:
			fmt.Fprintln(out, "<")
		case 1:
			fmt.Fprintln(out, ">")
		default:
			fmt.Fprintln(out, "=")
		}
	}
}
