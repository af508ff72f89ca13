"""Configuration audit (配置审计, R-CMDB-05): verify the CMDB against a discovery snapshot.

These functions are the only writers of ``ConfigurationAudit`` and ``AuditDifference``; every
change they make to configuration items goes through ``itsm.cmdb.services`` (history rows
carry the audit number as ``change_reference``).

Snapshot formats
    JSON: a list of objects ``{"identifier", "class", "name", "attributes": {...}}`` or an
    object ``{"items": [...]}``. CSV: columns ``identifier``, ``class``, ``name`` and one
    column per attribute key. An attribute a JSON item leaves out, or a CSV cell left empty,
    is "not reported" and not compared; a JSON ``null`` is reported as empty.

Scope
    The classes present in the snapshot, or only ``scope_class`` when given (items of other
    classes are then skipped). The CMDB side is every CI of those classes that is not retired.

Matching
    By ``identifier`` (case-insensitive); otherwise by class + name (case-insensitive) when
    one of the two identifiers is empty.

Accuracy
    ``checked`` = matched pairs + missing CIs + unexpected items (the union of CMDB CIs in
    scope and discovered items); ``matched`` = pairs without any difference; accuracy =
    matched / checked, measured when the audit is made. "After corrections" also counts the
    CIs and items whose differences were all accepted (the CMDB now agrees with discovery);
    rejected and pending differences still count as inaccurate.

Modules
    ``services`` (create, decide, close, update; the audit figures) — the writers, called
    by the audit pages and API; ``snapshot`` (reading and normalising a discovery file);
    ``comparison`` (matching the snapshot with the CMDB). Import them by name; this package
    re-exports nothing.
"""
