"""Work spread over several machines: Celery over Redis (README, "Several machines").

Roles, each a process on some machine, all seeing the archive folder on one share (NFS or SMB):

- the claiming process (`girok watch`, or `girok ingest`): claims each stable file into the shared work
  area, as on one machine, and enqueues it (``executor.CeleryExecutor``, the Executor seam of
  girok.ingest.executor). It also keeps: the worker's answer comes back through Redis (only a pointer: the
  prepared files and their text stay on the share), and the claiming process stores, catalogs and releases
  the source, exactly as on one machine. One catalog writer per claiming process; duplicates are settled by
  the input's SHA-256 (the claim looks it up; the catalog's unique SHA-256 refuses a second record), so a
  task handed out twice is harmless.
- `girok worker` (``worker``): prepares (normalize, split, OCR, PDF/A, extract) what the queue hands it,
  in a folder of its own inside the job's work folder; Celery's late acknowledgement and a visibility
  timeout longer than the slowest document give a task back when its worker dies.
- `girok indexer`: the search index's one writer; indexes what the catalog says is not indexed yet.
- Redis: the queue, the answers, and who is working on what (``registry``: heartbeats, read by status).

Every role checks at start that it sees the same archive folder (``share``: a marker with the archive's
id in the store, work area and quarantine) and a worker trusts no path from a task (``jobs``).
"""
