module github.com/node-pulumi/node-pulumi/tools/gen-sdk/sdkfiles

go 1.26.6
