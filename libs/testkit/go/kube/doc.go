// Package kube only anchors this wrapper module: the binaries are the upstream entries
// k8s.io/kubernetes/cmd/kube-apiserver and cmd/kubectl, built from here with the staging modules
// pinned (go install refuses k8s.io/kubernetes because its go.mod carries replace directives).
package kube
