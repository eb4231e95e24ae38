package compare

import (
	"fmt"
	"os"
	"testing"
)

func TestPrintTable(t *testing.T) {
	if os.Getenv("KUBESIM_PRINT_COMPARE") == "" {
		t.Skip("set KUBESIM_PRINT_COMPARE=1 to print the runtime compare table")
	}
	rows, err := Run(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Print(Format(rows))
}
