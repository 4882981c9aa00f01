// Command gen-sdk-dotnet generates node-pulumi's C# (dotnet) SDK from the plugin's schema with
// Pulumi's own C# generator. Run through tools/gen-sdk.sh.
//
// Pulumi moved that generator out of github.com/pulumi/pulumi/pkg/v3 (to pulumi-dotnet, whose
// module the Go module proxy reachable here refuses), froze it first and deleted it from pkg in
// v3.229.0. This module therefore pins pkg v3.225.1, the last release served here that carries
// it; the TypeScript and Go generators (../main.go) follow the CLI's version.
//
// Usage: gen-sdk-dotnet SCHEMA.json SDKDIR
package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet" //nolint:staticcheck // see above
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/node-pulumi/node-pulumi/tools/gen-sdk/sdkfiles"
)

const tool = "node-pulumi tools/gen-sdk"

// The generator downloads the NuGet package's icon from the schema's logoUrl, or else from this
// address (pkg v3.225.1, codegen/dotnet getLogo). This tool makes no network call: that one
// request is answered with logo.png beside this file, a plain placeholder icon of ours.
const defaultLogoURL = "https://raw.githubusercontent.com/pulumi/pulumi/" +
	"dbc96206bec722b7791a22ff50e895ab7c0abdc0/sdk/dotnet/pulumi_logo_64x64.png"

//go:embed logo.png
var logo []byte

type offline struct{}

func (offline) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.String() != defaultLogoURL {
		return nil, fmt.Errorf("gen-sdk-dotnet makes no network call; refused %s", r.URL)
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"image/png"}},
		Body:          io.NopCloser(bytes.NewReader(logo)),
		ContentLength: int64(len(logo)),
		Request:       r,
	}, nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen-sdk-dotnet SCHEMA.json SDKDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-sdk-dotnet:", err)
		os.Exit(1)
	}
}

func run(schemaPath, sdkDir string) error {
	http.DefaultTransport = offline{}
	var spec schema.PackageSpec
	data, err := os.ReadFile(schemaPath)
	if err == nil {
		err = json.Unmarshal(data, &spec)
	}
	if err != nil {
		return fmt.Errorf("reading the schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, nil, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("binding %s: %w", schemaPath, err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("invalid schema %s: %s", schemaPath, diags.Error())
	}
	files, err := dotnet.GeneratePackage(tool, pkg, nil, nil)
	if err != nil {
		return fmt.Errorf("generating the C# SDK: %w", err)
	}
	return sdkfiles.Sync(sdkDir, "dotnet", files)
}
