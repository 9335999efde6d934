// Command etcd starts etcd v3.6 through its etcdmain package: the upstream root module carries
// replace directives, so `go install go.etcd.io/etcd/v3` is refused and the test kit builds this wrapper.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
