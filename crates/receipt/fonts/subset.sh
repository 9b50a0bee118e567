#!/usr/bin/env bash
# Makes the embedded receipt fonts: DejaVu Sans Mono (Debian fonts-dejavu-core)
# cut down to the Latin letters, punctuation and the euro sign a receipt uses.
# Needs fonttools (pip install fonttools). The result is committed; run this only
# to change the character set.
set -euo pipefail
cd "$(dirname "$0")"
src=/usr/share/fonts/truetype/dejavu
unicodes="U+0020-007E,U+00A0-017F,U+0192,U+0218-021B,U+02C6-02DD,U+2010-2027,U+2030-203A,U+2044,U+20AC,U+2116,U+2122,U+2212,U+2022"
for face in DejaVuSansMono DejaVuSansMono-Bold; do
  pyftsubset "$src/$face.ttf" --unicodes="$unicodes" --no-hinting \
    --layout-features='' --name-IDs='*' --output-file="$face-Latin.ttf"
done
ls -l ./*.ttf
