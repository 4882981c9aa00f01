// Package sdkfiles writes generated SDKs into the repository; shared by gen-sdk and
// gen-sdk/dotnet. A module of its own with no requirements, so that each of those two can pin
// its own version of Pulumi.
package sdkfiles

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Keep lists, per language directory, the files the generators do not write that the repository
// keeps there: the pins of the SDK's own dependencies.
var Keep = map[string][]string{
	"nodejs": {"package-lock.json"},
	"go":     {"go.mod", "go.sum"},
}

// Sync makes sdkDir/lang hold exactly files (paths relative to it) and its Keep files: stale
// files are removed, so a resource dropped from the schema disappears from the SDK too. What the
// generated .gitignore names at the top (node_modules/, bin/, obj/: build output) is left alone.
func Sync(sdkDir, lang string, files map[string][]byte) error {
	dir := filepath.Join(sdkDir, lang)
	keep := map[string]bool{}
	for _, k := range Keep[lang] {
		keep[k] = true
	}
	ignored := map[string]bool{}
	for _, line := range strings.Split(string(files[".gitignore"]), "\n") {
		if name := strings.Trim(strings.TrimSpace(line), "/"); name != "" && !strings.ContainsAny(name, "/*?[!#") {
			ignored[name] = true
		}
	}
	for name := range files {
		if keep[name] {
			return fmt.Errorf("the %s generator writes %s, which the repository keeps", lang, name)
		}
	}
	if _, err := os.Stat(dir); err == nil {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			if d.IsDir() {
				if ignored[filepath.ToSlash(rel)] {
					return filepath.SkipDir
				}
				return nil
			}
			if _, generated := files[filepath.ToSlash(rel)]; !generated && !keep[filepath.ToSlash(rel)] {
				return os.Remove(path)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	return removeEmptyDirs(dir, ignored)
}

func removeEmptyDirs(dir string, ignored map[string]bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.IsDir() && !ignored[e.Name()] {
			sub := filepath.Join(dir, e.Name())
			if err := removeEmptyDirs(sub, nil); err != nil {
				return err
			}
			if rest, err := os.ReadDir(sub); err == nil && len(rest) == 0 {
				if err := os.Remove(sub); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
