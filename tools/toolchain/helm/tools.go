//go:build tools

// Package tools pins the Helm CLI at the release the kubernetes provider renders charts with, so
// the engine tests render the vendor charts as `pulumi up` does.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
