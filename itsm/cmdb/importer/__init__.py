"""Import configuration items from CSV, Excel or discovery JSON (R-CMDB-06, X-08).

* Files: ``.csv`` (UTF-8, UTF-8 with BOM, or GBK/GB18030 as Excel in China saves it),
  ``.xlsx`` (first worksheet, read with openpyxl in read-only mode) and ``.json`` (a
  discovery export: a list of objects, or ``{"items": [...]}``; an ``attributes`` object
  becomes ``attributes.<key>`` columns). At most ``ITSM_UPLOAD_MAX_BYTES`` and
  ``ITSM_UPLOAD_MAX_ROWS`` data rows (the shared upload guard, ``itsm.core.uploads``); in a
  spreadsheet the header is row 1, so the row numbers of errors are those a spreadsheet shows;
  in JSON row N is the Nth object. At most ``ITSM_UPLOAD_MAX_ERRORS`` rows with errors are
  listed.
* Mapping: file column → CI field (``name``, ``class``, ``identifier``, ``status``,
  ``criticality``, ``customer``, ``supplier``, ``owner``, ``location``, ``description``) or
  ``attributes.<key>``; columns mapped to nothing are ignored. Without a mapping, columns are
  recognised by their header: field names, English labels, Chinese labels (名称, 类别, 状态,
  客户, 位置, 标识 …) and attribute keys or names.
* Class per row (a ``class`` column: code or name) or one class for the whole file.
* Customer / supplier by organisation code or name, owner by user name, status and
  criticality by value or label (English or Chinese).
* Create or update: a row whose ``identifier`` is that of an existing CI updates that CI
  (only the columns mapped and filled in; attributes are merged; a status change goes through
  the status machine); any other row creates a CI.
* All or nothing: every row is validated first and every error is reported ("Row N, column
  X: reason"); if any row is wrong nothing is written. Otherwise all rows are written in one
  transaction through ``itsm.cmdb.services``. A dry run does the same and rolls back.

The package names what the CMDB's import page and API call; the modules ``files`` (reading
CSV, Excel and JSON), ``mapping`` (columns to fields) and ``rows`` (validating and writing
rows) keep their other functions and constants.
"""

from __future__ import annotations

from itsm.cmdb.importer.files import read_table, read_upload_bytes
from itsm.cmdb.importer.mapping import default_mapping, mapping_targets
from itsm.cmdb.importer.rows import import_cis, import_table

__all__ = [
    "default_mapping",
    "import_cis",
    "import_table",
    "mapping_targets",
    "read_table",
    "read_upload_bytes",
]
