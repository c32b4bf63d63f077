#!/usr/bin/env bash
# Rewrites the generated key table of docs/config.md from the binary (`synthgen train --list-keys`).
# The [docs] test fails when the two differ.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${SYNTHGEN_BINARY:-build/synthgen}"
table=$("${binary}" train --list-keys)
/usr/bin/python3 - docs/config.md "${table}" <<'PY'
import sys
path, table = sys.argv[1], sys.argv[2]
text = open(path).read()
begin = text.index('<!-- generated: synthgen train --list-keys; do not edit by hand -->')
end = text.index('<!-- end generated -->')
head = text[:begin] + '<!-- generated: synthgen train --list-keys; do not edit by hand -->\n\n'
open(path, 'w').write(head + table.rstrip('\n') + '\n\n' + text[end:])
PY
echo "updated docs/config.md"
