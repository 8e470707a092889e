// Command app prints a greeting and the files ko packed into its kodata layer.
package main

import (
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	fmt.Println("Hello from a ko-built image!")
	dir := os.Getenv("KO_DATA_PATH")
	if dir == "" {
		fmt.Println("KO_DATA_PATH is not set")
		os.Exit(1)
	}
	greeting, err := os.ReadFile(filepath.Join(dir, "greeting.txt"))
	if err != nil {
		fmt.Println("cannot read kodata:", err)
		os.Exit(1)
	}
	fmt.Printf("kodata says: %s", greeting)
}
