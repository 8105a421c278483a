#!/usr/bin/env bash
# pyflakes (Debian's python3-pyflakes, run by Debian's python3) over the
# Python drivers' package, the launchers CMake made from python/driver.in
# and the report's scripts: no undefined or unused names, no syntax the
# interpreter would refuse.
# usage: lint.sh BUILD_DIR
set -euo pipefail
BIN=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
[[ -x $BIN/parscale-py-thread ]] || { echo "the Python drivers are not built: skipping"; exit 77; }
if ! "$py" -c 'import pyflakes' 2> /dev/null; then
    echo "no pyflakes for $py (Debian package python3-pyflakes; scripts/deps.sh test installs it): skipping"
    exit 77
fi
files=("$src"/python/parscale_py/*.py "$BIN"/parscale-py-* "$src"/scripts/*.py)
"$py" -m pyflakes "${files[@]}"
for f in "$BIN"/parscale-py-*; do
    [[ $(head -1 "$f") == "#!/"* ]] || { echo "FAIL: $f has no interpreter line" >&2; exit 1; }
done
echo "pyflakes: ${#files[@]} files clean"
