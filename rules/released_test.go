package rules

import (
	"errors"
	"io/fs"
	"testing"
)

// TestReleasedPacksVerify runs every kept earlier version of the built-in packs, as a run made
// before an upgrade did, and checks that verify re-runs that version (not the current one) and
// finds the run reproduced; a version that is not kept is an fs.ErrNotExist.
func TestReleasedPacksVerify(t *testing.T) {
	ents, err := releasedFS.ReadDir("packs/released")
	if err != nil || len(ents) == 0 {
		t.Fatalf("no released packs: %v", err)
	}
	db := newCase(t, smallCase(), partyLinks)
	for _, e := range ents {
		b, _ := releasedFS.ReadFile("packs/released/" + e.Name())
		p, err := Parse(b, "builtin:x")
		if err != nil {
			t.Fatal(e.Name(), err)
		}
		if e.Name() != p.Name+"-"+p.Version+".yaml" {
			t.Errorf("%s holds %s %s", e.Name(), p.Name, p.Version)
		}
		cur := mustLoad(t, p.Name)
		if cur.Version == p.Version {
			t.Errorf("%s: the current pack has the same version as a released one: bump it", e.Name())
		}
		old, err := LoadReleased(p.Name, p.Version)
		if err != nil {
			t.Fatal(err)
		}
		res := runLoaded(t, db, nil, old)
		rep, err := Verify(t.Context(), db, res.RunID, testTracer)
		if err != nil || !rep.OK() {
			t.Errorf("%s: verify of a run of the released version: %v %+v", e.Name(), err, rep)
		}
	}
	if _, err := LoadReleased("smuggling", "0.0.1"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a version not kept: %v", err)
	}
}
