-- webhook_events.payload: the body as received, as text. Parsing ~10 KB into jsonb on every insert was the largest
-- single cost of a durable webhook commit; the payload is read back once, by the applier. Query it with payload::jsonb.
ALTER TABLE "webhook_events" ALTER COLUMN "payload" SET DATA TYPE text;--> statement-breakpoint
-- Compressed in the row (no TOAST table and TOAST index insert per event); moved out of line only when it does not fit a page.
ALTER TABLE "webhook_events" ALTER COLUMN "payload" SET STORAGE MAIN;--> statement-breakpoint
-- lz4 compresses JSON several times faster than pglz; servers built without lz4 (PGlite) keep pglz.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    EXECUTE 'ALTER TABLE "webhook_events" ALTER COLUMN "payload" SET COMPRESSION lz4';
  END IF;
END
$$;
