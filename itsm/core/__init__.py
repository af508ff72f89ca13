"""The mechanisms every process module uses (docs/architecture.md); a regular package so that
import analysis (grimp, import-linter) sees it."""
