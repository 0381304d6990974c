//go:build tools

// Package tools pins etcd, kept apart from the Kubernetes module graph.
package tools

import _ "go.etcd.io/etcd/server/v3"
