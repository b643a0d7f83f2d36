-- expect: unparsed-statement
DO $$ BEGIN PERFORM 1; END $$;
