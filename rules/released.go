package rules

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
)

// releasedFS holds the last text of every earlier version of the built-in packs, as
// packs/released/NAME-VERSION.yaml. A stored run names its pack's version and SHA-256; once
// the built-in pack moves on, verify re-runs the run with the version it was made with, so
// that a run made before an upgrade still reproduces.
//
//go:embed packs/released/*.yaml
var releasedFS embed.FS

// LoadReleased returns the built-in pack name at an earlier version, as it was released.
// It fails with fs.ErrNotExist when that version is not kept.
func LoadReleased(name, version string) (*Pack, error) {
	b, err := releasedFS.ReadFile(path.Join("packs/released", name+"-"+version+".yaml"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("built-in pack %s version %s is not kept: %w", name, version, fs.ErrNotExist)
		}
		return nil, err
	}
	p, err := Parse(b, "builtin:"+name)
	if err != nil {
		return nil, err
	}
	if p.Name != name || p.Version != version {
		return nil, fmt.Errorf("%w: packs/released/%s-%s.yaml holds %s %s", ErrPack, name, version, p.Name, p.Version)
	}
	return p, nil
}
