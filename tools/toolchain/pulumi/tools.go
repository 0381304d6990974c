//go:build tools

// Package tools pins the Pulumi CLI the end-to-end tests run.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
