"""Whole-hub audits: merging sharded reports, remembering runs, the static dashboard.

Pure functions over plain data (the JSON report of DESIGN.md, "Contracts", and the history
file's records); the only I/O is in :mod:`mdvalidator.audit.files` (reading capped inputs,
appending history lines, writing the site folder) and the ``mdvalidator report`` command.

    reports  -> auditreport.load_audit_report   (validated, size-capped, never trusted)
             -> merge.merge_reports              (shards -> one report)
             -> classify.classify_with_history   (health: dead only after N runs)
             -> history.HistoryRecord            (one JSON line per run)
             -> site.build_site                  (index.html, a page per failing card)
"""
