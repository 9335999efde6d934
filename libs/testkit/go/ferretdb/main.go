// Command ferretdb-embedded starts FerretDB v1 through its embeddable package.
// The upstream cmd/ferretdb panics when built with `go install` (missing generated
// version file), so the test kit builds this wrapper instead.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite directory URL (handler=sqlite)")
	postgresURL := flag.String("postgresql-url", "", "PostgreSQL URL (handler=postgresql)")
	idIndexes := flag.Bool("id-indexes", true, "keep an index FerretDB's `_id` lookups can use (see id_indexes.go)")
	logLevel := flag.String("log-level", "info", "least level logged: debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatalf("-log-level: %v", err)
	}
	cfg := &ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: *listen},
		Handler:  *handler,
		Logger:   newLazyLogger(level),
	}
	switch *handler {
	case "sqlite":
		cfg.SQLiteURL = *sqliteURL
	case "postgresql":
		cfg.PostgreSQLURL = *postgresURL
	default:
		log.Fatalf("unknown handler %q", *handler)
	}

	f, err := ferretdb.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *idIndexes {
		if *handler == "sqlite" {
			go keepIDIndexes(ctx, ensureSQLiteIDIndexes(sqliteDir(*sqliteURL)))
		} else {
			go keepIDIndexes(ctx, ensurePostgreSQLIDIndexes(*postgresURL))
		}
	}
	log.Printf("ferretdb listening on %s (%s)", *listen, *handler)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}
