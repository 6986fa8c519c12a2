#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and checks the screenshot is not blank.
# Usage: scripts/check_html.sh FILE.html OUT.png
#
# Exit 0: OUT.png exists, is a 1280x2000 PNG and has drawn content (with python3: at least 0.5%
# non-zero bytes in the filtered scanlines, where a blank page has ~0.03% and a report 2-3%;
# without python3: at least 20 KB, where a blank page is ~12 KB). Exit 1: the render failed or
# looks empty. Exit 2: bad arguments or no chromium.
# CHROMIUM=/path/to/chromium overrides the browser (default: chromium on PATH).
#
# Flags: Debian's chromium (156) runs the new headless mode with plain --headless; --no-sandbox
# because tests may run as root; a private --user-data-dir so concurrent checks do not share a
# profile lock; no network is needed (the pages reference nothing outside themselves).
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 FILE.html OUT.png" >&2
  exit 2
fi
html=$1
png=$2
if [ ! -f "$html" ]; then
  echo "check_html: $html: no such file" >&2
  exit 2
fi
browser=${CHROMIUM:-$(command -v chromium || true)}
if [ -z "$browser" ] || [ ! -x "$browser" ]; then
  echo "check_html: chromium not found (apt-get install chromium, or set CHROMIUM=...)" >&2
  exit 2
fi

abs_html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
abs_png=$(cd "$(dirname "$png")" && pwd)/$(basename "$png")
profile=$(mktemp -d "${TMPDIR:-/tmp}/check_html.XXXXXX")
log="$profile.log"
trap 'rm -rf "$profile" "$log"' EXIT
rm -f "$abs_png"

if ! timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --no-first-run --no-default-browser-check --user-data-dir="$profile" \
    --screenshot="$abs_png" --window-size=1280,2000 "file://$abs_html" >"$log" 2>&1; then
  echo "check_html: chromium failed on $html:" >&2
  grep -v -e 'dbus' -e 'unexpected operator' "$log" | tail -20 >&2 || true
  exit 1
fi
if [ ! -s "$abs_png" ]; then
  echo "check_html: chromium wrote no screenshot for $html" >&2
  exit 1
fi

if command -v python3 >/dev/null 2>&1; then
  python3 - "$abs_png" <<'EOF'
import struct, sys, zlib

# A full PNG decode in pure Python takes ~30 s at 1280x2000; instead measure the share of
# non-zero bytes in the filtered scanlines (PNG predicts each byte from its neighbours, so a
# uniform page filters to zeros): a blank or one-line page is ~0.05%, a report with charts 2-3%.
path = sys.argv[1]
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("check_html: %s is not a PNG" % path)
pos, idat, width, height = 8, b"", 0, 0
while pos + 8 <= len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height = struct.unpack(">II", body[:8])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
if (width, height) != (1280, 2000):
    sys.exit("check_html: screenshot is %dx%d, expected 1280x2000" % (width, height))
raw = zlib.decompress(idat)
share = 1 - raw.count(0) / len(raw)
if share < 0.005:
    sys.exit("check_html: the screenshot looks blank (%.2f%% non-zero filtered bytes, "
             "expected >= 0.5%%)" % (100 * share))
print("check_html: ok, %dx%d, %.2f%% non-zero filtered bytes" % (width, height, 100 * share))
EOF
else
  size=$(stat -c %s "$abs_png")
  if [ "$size" -lt 20000 ]; then
    echo "check_html: screenshot is only $size bytes: looks blank" >&2
    exit 1
  fi
  echo "check_html: ok, $size bytes (python3 not found: size check only)"
fi
