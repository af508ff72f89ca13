"""Date and time formats, one module per language (``FORMAT_MODULE_PATH``).

Only display formats are declared here; input formats fall through to Django's own locale
modules (HTML date/time inputs always exchange ISO values, see ``core.form_helpers``).
Tables and detail pages use the ``SHORT_*`` formats, which are the same ISO-like
``2026-03-01 16:30`` in both languages so columns line up; running text uses ``DATE_FORMAT`` /
``DATETIME_FORMAT``, which read naturally in each language.
"""
