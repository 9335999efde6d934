package main

// FerretDB 1.24 sends an `{_id: value}` filter to SQL as an expression its own `_id` index cannot serve:
// on SQLite `_ferretdb_sjson->'$._id' = ?` (its index is on `_ferretdb_sjson->"_id"`), on PostgreSQL
// `_jsonb->'_id' @> $1` (its index is a B-tree). Every `_id` lookup therefore reads the whole collection.
// The event store reads catch-up batches by `_id` on FerretDB, so this wrapper keeps, for every
// collection, an index on exactly the expression FerretDB sends. FerretDB does not know these indexes
// (listIndexes does not show them); they go away with the collection's table.

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the driver FerretDB itself uses
)

const idIndexInterval = 250 * time.Millisecond

// keepIDIndexes adds the missing indexes now and then every idIndexInterval until ctx ends.
func keepIDIndexes(ctx context.Context, ensure func(context.Context) error) {
	t := time.NewTicker(idIndexInterval)
	defer t.Stop()
	failing := false
	for {
		if err := ensure(ctx); err != nil && ctx.Err() == nil && !failing {
			log.Printf("id indexes: %v (retrying)", err)
			failing = true
		} else if err == nil {
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sqliteDir is the directory of a `file:dir/?params` SQLite URL.
func sqliteDir(sqliteURL string) string {
	dir := strings.TrimPrefix(sqliteURL, "file:")
	if i := strings.IndexByte(dir, '?'); i >= 0 {
		dir = dir[:i]
	}
	return dir
}

func ensureSQLiteIDIndexes(dir string) func(context.Context) error {
	return func(ctx context.Context) error {
		files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		if err != nil {
			return err
		}
		// A database dropped meanwhile fails its file alone; the others still get their indexes.
		var first error
		for _, file := range files {
			if err := ensureSQLiteFile(ctx, file); err != nil && first == nil {
				first = fmt.Errorf("%s: %w", file, err)
			}
		}
		return first
	}
}

func ensureSQLiteFile(ctx context.Context, file string) error {
	// mode=rw: never create the file of a database FerretDB has just dropped.
	uri := "file:" + (&url.URL{Path: file}).EscapedPath() + "?mode=rw&_pragma=busy_timeout(10000)"
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return err
	}
	defer db.Close()
	// Tables without the index; none while FerretDB has not made its catalog yet.
	rows, err := db.QueryContext(ctx, `SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || '_lfs_id')`)
	if err != nil {
		return nil
	}
	var tables []string
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, table)
	}
	rows.Close()
	for _, table := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+"_lfs_id", table)
		if _, err := db.ExecContext(ctx, q); err != nil && !strings.Contains(err.Error(), "no such table") {
			return err
		}
	}
	return nil
}

// ensurePostgreSQLIDIndexes adds the GIN index scripts/ferretdb-postgresql-indexes.sql makes for `_id`
// (same name, so the script and this skip each other's), for every collection of every database.
func ensurePostgreSQLIDIndexes(postgresqlURL string) func(context.Context) error {
	return func(ctx context.Context) error {
		conn, err := pgx.Connect(ctx, postgresqlURL)
		if err != nil {
			return err
		}
		defer conn.Close(context.Background())
		missing, err := missingPostgreSQLIDIndexes(ctx, conn)
		if err != nil {
			return err
		}
		for _, m := range missing {
			// fastupdate off: inserts would otherwise pile up in the index's pending list, which every
			// lookup reads whole (19 ms per lookup after 100,000 inserted batches, 0.2 ms without).
			q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s USING gin ((_jsonb -> '_id') jsonb_path_ops) WITH (fastupdate = off)`,
				pgx.Identifier{m[2]}.Sanitize(), pgx.Identifier{m[0], m[1]}.Sanitize())
			if _, err := conn.Exec(ctx, q); err != nil && !strings.Contains(err.Error(), "does not exist") {
				return err
			}
		}
		return nil
	}
}

// missingPostgreSQLIDIndexes lists (schema, table, index) for the collection tables without the index.
func missingPostgreSQLIDIndexes(ctx context.Context, conn *pgx.Conn) ([][3]string, error) {
	rows, err := conn.Query(ctx, `SELECT n.nspname, c.relname, left(c.relname, 40) || '__id_gin'
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = '_jsonb'
		WHERE c.relkind = 'r' AND c.relname NOT LIKE '\_ferretdb\_%'
		AND NOT EXISTS (SELECT 1 FROM pg_class i JOIN pg_index x ON x.indexrelid = i.oid
			WHERE x.indrelid = c.oid AND i.relname = left(c.relname, 40) || '__id_gin')`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) ([3]string, error) {
		var m [3]string
		err := row.Scan(&m[0], &m[1], &m[2])
		return m, err
	})
}
