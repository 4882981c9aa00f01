// Command gen-sdk generates node-pulumi's TypeScript (nodejs) and Go SDKs from the plugin's
// schema with Pulumi's own code generators (github.com/pulumi/pulumi/pkg/v3/codegen), at the
// version of the Pulumi CLI in tools/pulumi-cli/go.mod. Run through tools/gen-sdk.sh.
//
// Usage: gen-sdk SCHEMA.json SDKDIR
//
// Each language's directory under SDKDIR (nodejs, go) is made to hold exactly the generated files,
// plus the files the generators do not write and the repository keeps (see sdkfiles.Keep).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/node-pulumi/node-pulumi/tools/gen-sdk/sdkfiles"
)

const tool = "node-pulumi tools/gen-sdk"

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen-sdk SCHEMA.json SDKDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-sdk:", err)
		os.Exit(1)
	}
}

func run(schemaPath, sdkDir string) error {
	generators := []struct {
		dir string
		gen func(*schema.Package) (map[string][]byte, error)
	}{
		{"nodejs", func(pkg *schema.Package) (map[string][]byte, error) {
			return nodejs.GeneratePackage(tool, pkg, nil, nil, false, nil)
		}},
		{"go", func(pkg *schema.Package) (map[string][]byte, error) {
			return gogen.GeneratePackage(tool, pkg, nil)
		}},
	}
	for _, g := range generators {
		// A generator records its language options in the package: bind afresh for each.
		spec, err := readSpec(schemaPath)
		if err != nil {
			return err
		}
		// The schema refers to no other package: binding never loads one.
		pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
		if err != nil {
			return fmt.Errorf("binding %s: %w", schemaPath, err)
		}
		if diags.HasErrors() {
			return fmt.Errorf("invalid schema %s: %s", schemaPath, diags.Error())
		}
		files, err := g.gen(pkg)
		if err != nil {
			return fmt.Errorf("generating the %s SDK: %w", g.dir, err)
		}
		if err := sdkfiles.Sync(sdkDir, g.dir, files); err != nil {
			return err
		}
	}
	return nil
}

func readSpec(path string) (schema.PackageSpec, error) {
	var spec schema.PackageSpec
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, &spec)
	}
	if err != nil {
		return spec, fmt.Errorf("reading the schema: %w", err)
	}
	return spec, nil
}
