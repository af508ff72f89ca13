#!/usr/bin/env bash
# Copy the front-end assets the UI needs from npm packages into itsm/ui/static/vendor/.
#
# Users are often offline or behind the Great Firewall, so nothing is loaded from a CDN: the
# copied files are committed and `make run` needs no Node. Run this only to change versions
# (edit package.json, then `bash scripts/vendor-assets.sh`, then commit the result).
# Only the minified files and their licences are copied; source maps are not shipped, so the
# `sourceMappingURL` comments are removed to avoid 404s in the browser's developer tools.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi

NM="$ROOT/node_modules"
DEST="$ROOT/itsm/ui/static/vendor"
rm -rf "$DEST"
mkdir -p "$DEST/tabler/css" "$DEST/tabler/js" "$DEST/htmx" "$DEST/echarts" "$DEST/tom-select"

version() { node -p "require('$NM/$1/package.json').version"; }
strip_map() { sed -e 's#/\*\# sourceMappingURL=[^*]*\*/##' -e 's#^//\# sourceMappingURL=.*$##' "$1" > "$2"; }

# Tabler (MIT; its JS bundles Bootstrap and Popper, both MIT). Its CSS uses only data: URLs
# and system fonts, so no font files are needed.
strip_map "$NM/@tabler/core/dist/css/tabler.min.css" "$DEST/tabler/css/tabler.min.css"
strip_map "$NM/@tabler/core/dist/js/tabler.min.js" "$DEST/tabler/js/tabler.min.js"
{
  echo "Tabler $(version @tabler/core) — https://github.com/tabler/tabler"
  echo "Licensed under the MIT License (see package.json of @tabler/core)."
  echo
  echo "MIT License"
  echo
  echo "Copyright (c) 2018-2026 The Tabler Authors, codecalm.net Paweł Kuna"
  echo
  cat <<'MIT'
Permission is hereby granted, free of charge, to any person obtaining a copy of this software
and associated documentation files (the "Software"), to deal in the Software without
restriction, including without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
MIT
} > "$DEST/tabler/LICENSE"
cp "$NM/@popperjs/core/LICENSE.md" "$DEST/tabler/LICENSE-popper.md"

# htmx (0BSD)
strip_map "$NM/htmx.org/dist/htmx.min.js" "$DEST/htmx/htmx.min.js"
cp "$NM/htmx.org/LICENSE" "$DEST/htmx/LICENSE"

# ECharts (Apache-2.0; NOTICE must travel with it)
strip_map "$NM/echarts/dist/echarts.min.js" "$DEST/echarts/echarts.min.js"
cp "$NM/echarts/LICENSE" "$DEST/echarts/LICENSE"
cp "$NM/echarts/NOTICE" "$DEST/echarts/NOTICE"

# Tom Select (Apache-2.0): the type-ahead picker of related records and multi-selects
# (itsm/ui/static/ui/picker.js). The "popular" bundle carries the remove_button plugin; the
# Bootstrap 5 theme matches Tabler.
strip_map "$NM/tom-select/dist/js/tom-select.popular.min.js" "$DEST/tom-select/tom-select.popular.min.js"
strip_map "$NM/tom-select/dist/css/tom-select.bootstrap5.min.css" "$DEST/tom-select/tom-select.bootstrap5.min.css"
cp "$NM/tom-select/LICENSE" "$DEST/tom-select/LICENSE"

cat > "$DEST/VERSIONS.txt" <<TXT
# Written by scripts/vendor-assets.sh from package.json; do not edit by hand.
@tabler/core $(version @tabler/core)
htmx.org $(version htmx.org)
echarts $(version echarts)
tom-select $(version tom-select)
TXT
du -sh "$DEST"
