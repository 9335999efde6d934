-- Indexes FerretDB 1.x cannot make for itself, for the event store on FerretDB with PostgreSQL.
--
-- FerretDB runs a filter's equalities in PostgreSQL as jsonb containment, `(_jsonb -> 'r') @> '"x"'`, which
-- the B-tree indexes it creates for `createIndexes` cannot serve: every read is a sequential scan of the
-- whole collection, so a catch-up gets slower as the store grows. These GIN indexes serve exactly those
-- expressions. Ranges and sorts still run in FerretDB, over the repository's documents only.
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
BEGIN
  FOR collection IN EXECUTE format(
    'SELECT _jsonb ->> ''_id'' AS name, _jsonb ->> ''table'' AS tbl FROM %I._ferretdb_database_metadata',
    schema_name
  ) LOOP
    CONTINUE WHEN NOT wanted ? collection.name;
    FOR field IN SELECT jsonb_array_elements_text(wanted -> collection.name) LOOP
      EXECUTE format(
        'CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin ((_jsonb -> %L) jsonb_path_ops)',
        left(collection.tbl, 40) || '_' || field || '_gin', schema_name, collection.tbl, field
      );
    END LOOP;
  END LOOP;
END $$;
