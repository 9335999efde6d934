-- Indexes FerretDB 1.x cannot make for itself, for the event store on FerretDB with PostgreSQL.
--
-- FerretDB runs a filter's equalities in PostgreSQL as jsonb containment, `(_jsonb -> 'r') @> '"x"'`, which
-- the B-tree indexes it creates for `createIndexes` cannot serve: every read is a sequential scan of the
-- whole collection, so a catch-up gets slower as the store grows. These GIN indexes serve exactly those
-- expressions. Ranges and sorts still run in FerretDB, over the repository's documents only.
-- `fastupdate = off`: with it on, inserts collect in a pending list that every lookup reads whole, so a
-- lookup's cost grows with the inserts since the last vacuum (an `_id` lookup: 19 ms after 100,000 batches,
-- 0.2 ms without). Indexes made before with it on are switched and their pending list flushed.
--
--   psql "$POSTGRESQL_URL" -v schema=lfs -f scripts/ferretdb-postgresql-indexes.sql
--
-- `schema` is MONGO_DB (FerretDB keeps each database in the schema of that name). Run it once the services
-- have started (the persister creates the collections); running it again changes nothing.
SELECT set_config('lfs.schema', :'schema', false);

DO $$
DECLARE
  schema_name CONSTANT text := current_setting('lfs.schema');
  -- Collection → the fields its reads filter on by equality.
  wanted CONSTANT jsonb := '{"events": ["_id", "r", "e", "d"], "event_batches": ["_id", "r"], "heads": ["_id"]}';
  collection record;
  field text;
  index_name text;
BEGIN
  FOR collection IN EXECUTE format(
    'SELECT _jsonb ->> ''_id'' AS name, _jsonb ->> ''table'' AS tbl FROM %I._ferretdb_database_metadata',
    schema_name
  ) LOOP
    CONTINUE WHEN NOT wanted ? collection.name;
    FOR field IN SELECT jsonb_array_elements_text(wanted -> collection.name) LOOP
      index_name := left(collection.tbl, 40) || '_' || field || '_gin';
      EXECUTE format(
        'CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin ((_jsonb -> %L) jsonb_path_ops) WITH (fastupdate = off)',
        index_name, schema_name, collection.tbl, field
      );
      EXECUTE format('ALTER INDEX %I.%I SET (fastupdate = off)', schema_name, index_name);
      PERFORM gin_clean_pending_list(format('%I.%I', schema_name, index_name)::regclass);
    END LOOP;
  END LOOP;
END $$;
