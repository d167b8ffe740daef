#!/usr/bin/env bash
# Regenerates the two font files beside this script: Open Sans Regular and Bold (Apache-2.0) from
# Debian's fonts-open-sans package, subset to Latin-1 and the punctuation charts use, without
# hinting (resvg does not hint). Needs apt-get (Debian) and python3-fonttools.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download fonts-open-sans >/dev/null && dpkg-deb -x fonts-open-sans_*.deb x)
src="$work/x/usr/share/fonts/truetype/open-sans"
for weight in Regular Bold; do
  /usr/bin/python3 -m fontTools.subset "$src/OpenSans-$weight.ttf" \
    --unicodes='U+0020-007E,U+00A0-00FF,U+2013-2014,U+2018-201D,U+2022,U+2026,U+2190-2193,U+2212,U+2264-2265' \
    --layout-features='kern,liga' --no-hinting --desubroutinize \
    --output-file="$here/OpenSans-$weight.subset.ttf"
done
dpkg-deb -f "$work"/fonts-open-sans_*.deb Package Version
