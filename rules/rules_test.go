package rules

import (
	"context"
	"testing"
)

func TestBuiltinPacksCheck(t *testing.T) {
	for _, name := range Builtins() {
		t.Run(name, func(t *testing.T) {
			p, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(context.Background(), p); err != nil {
				t.Fatal(err)
			}
		})
	}
}
