#!/usr/bin/env bash
# Set up everything the deck needs, on Debian or Ubuntu, as root or with sudo.
#
#   bash scripts/setup.sh                  system packages, uv, Python env, reveal.js
#   bash scripts/setup.sh --with-browser   also Chromium, Xvfb and poppler-utils (tests)
#   bash scripts/setup.sh --no-system      skip the apt-get step (another OS: install
#                                          the packages listed by a plain run yourself)
#
# Every step skips what is already there: a second run takes a few seconds.
# It ends with `deck doctor`, so a zero exit means the deck can be built.
set -euo pipefail

WITH_BROWSER=0
SYSTEM=1
for arg in "$@"; do
  case "$arg" in
    --with-browser) WITH_BROWSER=1 ;;
    --no-system) SYSTEM=0 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The uv installed into .tools/uv-venv when no recent enough uv is on PATH.
UV_VERSION=0.13.9
UV_MIN=0.8.0
# Never let uv download a Python build: use the system python3 (>= 3.11).
export UV_PYTHON_DOWNLOADS=never

log() { printf 'setup [%3ds]: %s\n' "$SECONDS" "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# ── Debian packages ────────────────────────────────────────────────────────
BUILD_PKGS=(gcc python3-dev pkg-config libcairo2-dev libpango1.0-dev)
QT_PKGS=(libgl1 libegl1 libxkbcommon0 libpulse0 libdrm2 libxrandr2
  libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-sync1 libxcb-util1
  libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libxcb-glx0)
# fonts-dejavu-core, fonts-wqy-microhei: the handout's notes (Latin … Hebrew; CJK)
DECK_PKGS=(fonts-inter fonts-dejavu-core fonts-wqy-microhei fontconfig ca-certificates)
TEST_PKGS=(chromium xvfb xauth poppler-utils)

wanted_packages() {  # sets WANTED
  local pkgs=("${BUILD_PKGS[@]}" "${QT_PKGS[@]}" "${DECK_PKGS[@]}")
  if ((WITH_BROWSER)); then
    local p
    for p in "${TEST_PKGS[@]}"; do
      # Ubuntu has no chromium .deb (only a snap); the tests need /usr/bin/chromium.
      if [ "$p" = chromium ] && [ "$OS_ID" = ubuntu ]; then
        [ -x /usr/bin/chromium ] || log "warning: tests need /usr/bin/chromium; install it yourself"
        continue
      fi
      pkgs+=("$p")
    done
  fi
  # Commands rather than packages: Node.js may come from elsewhere (NodeSource
  # bundles npm and conflicts with Debian's npm package).
  command -v python3 >/dev/null || pkgs+=(python3)
  command -v node >/dev/null || pkgs+=(nodejs)
  command -v npm >/dev/null || pkgs+=(npm)
  # A private uv needs `python3 -m venv`, which Debian splits into python3-venv.
  if ! find_uv >/dev/null && ! python3 -c 'import ensurepip' 2>/dev/null; then
    pkgs+=(python3-venv)
  fi
  WANTED=("${pkgs[@]}")
}

missing_packages() {  # sets MISSING to those of "$@" that are not installed
  # dpkg-query prints only the packages it knows (and exits 1 if it knows not
  # all of them); "ii" = installed.
  local installed p
  installed="$({ dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true; } \
    | awk '$2 == "ii" {print $1}')"
  MISSING=()
  for p in "$@"; do
    grep -qxF "$p" <<<"$installed" || MISSING+=("$p")
  done
}

# shellcheck disable=SC1091
OS_ID="$(. /etc/os-release 2>/dev/null && echo "${ID:-}")" || OS_ID=""
# shellcheck disable=SC1091
OS_LIKE="$(. /etc/os-release 2>/dev/null && echo "${ID:-} ${ID_LIKE:-}")" || OS_LIKE=""

is_debian() {
  command -v apt-get >/dev/null && command -v dpkg-query >/dev/null || return 1
  [[ " $OS_LIKE " == *" debian "* || " $OS_LIKE " == *" ubuntu "* ]]
}

install_system_packages() {
  wanted_packages
  if ! is_debian; then
    {
      echo "setup: no apt-get here (Debian or Ubuntu), so no system package is installed for you."
      echo "Install these (Debian names; use your system's equivalents):"
      echo "  build:     ${BUILD_PKGS[*]}"
      echo "  presenter: ${QT_PKGS[*]}"
      echo "  deck:      ${DECK_PKGS[*]}  (the font family \"Inter\")"
      echo "  tools:     python3 (>= 3.11) with venv, nodejs, npm"
      echo "  tests:     ${TEST_PKGS[*]}  (Chromium at /usr/bin/chromium)"
      echo "then run: bash scripts/setup.sh --no-system"
    } >&2
    exit 1
  fi
  missing_packages "${WANTED[@]}"
  local missing=("${MISSING[@]}")
  if ((${#missing[@]} == 0)); then
    log "system packages: all ${#WANTED[@]} present"
    return
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo: as root run apt-get install --no-install-recommends ${missing[*]}"
    sudo=(sudo)
  fi
  log "installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

check_python() {
  command -v python3 >/dev/null || die "python3 not found"
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "python3 is $(python3 -V 2>&1); the deck needs Python >= 3.11 (Debian 12 or Ubuntu 24.04)"
}

# ── uv ─────────────────────────────────────────────────────────────────────
uv_recent() {  # uv_recent PATH: is PATH a uv >= UV_MIN?
  local v
  v="$("$1" --version 2>/dev/null | awk '{print $2}')" || return 1
  [ -n "$v" ] && [ "$(printf '%s\n%s\n' "$UV_MIN" "$v" | sort -V | head -n1)" = "$UV_MIN" ]
}

find_uv() {
  local uv
  for uv in "$(command -v uv || true)" "$ROOT/.tools/uv-venv/bin/uv"; do
    # resolved, so that a PATH holding .tools/bin never makes .tools/bin/uv a link to itself
    uv="$(readlink -f "$uv" 2>/dev/null || true)"
    if [ -n "$uv" ] && [ -x "$uv" ] && uv_recent "$uv"; then
      echo "$uv"
      return 0
    fi
  done
  return 1
}

setup_uv() {
  local uv
  mkdir -p .tools/bin
  [ -f .tools/.gitignore ] || echo '*' > .tools/.gitignore   # .tools/ is never committed
  if ! uv="$(find_uv)"; then
    # Debian 12's python3 is "externally managed" (PEP 668): pip may not install
    # into it. A private venv inside the project needs no --break-system-packages,
    # no PATH change and no sudo, and `rm -rf .tools` removes it.
    log "installing uv $UV_VERSION from PyPI into .tools/uv-venv"
    rm -rf .tools/uv-venv
    python3 -m venv .tools/uv-venv
    .tools/uv-venv/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
    uv="$ROOT/.tools/uv-venv/bin/uv"
  fi
  # build.sh and test.sh run .tools/bin/uv: whichever uv this step chose.
  ln -sfn "$uv" .tools/bin/uv
  log "uv: $uv ($("$uv" --version | awk '{print $2}'))"
}

# ── Python environment (.venv, from uv.lock; dev group included) ───────────
# Byte-compiled once here: where PYTHONDONTWRITEBYTECODE is set (some shells, most
# containers) Python never writes .pyc files and compiles manim's ~1000 modules from
# source at every `deck` start (measured: import manim 2.7 s, 0.9 s once compiled).
sync_python() {
  .tools/bin/uv sync --frozen --quiet --compile-bytecode
  log "python env: .venv in sync with uv.lock ($(.venv/bin/python -V 2>&1))"
}

# ── reveal.js for the offline HTML export (package-lock.json) ──────────────
revealjs_ok() {
  local want have f
  want="$(node -p "require('./package-lock.json').packages['node_modules/reveal.js'].version")"
  have="$(node -p "require('./node_modules/reveal.js/package.json').version" 2>/dev/null)" || return 1
  [ "$want" = "$have" ] || return 1
  for f in reveal.js reveal.css theme/black.css plugin/notes.js plugin/markdown.js plugin/zoom.js; do
    [ -f "node_modules/reveal.js/dist/$f" ] || return 1
  done
}

setup_revealjs() {
  if ! revealjs_ok; then
    log "installing reveal.js into node_modules (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  fi
  log "reveal.js: $(node -p "require('./node_modules/reveal.js/package.json').version")"
}

if ((SYSTEM)); then install_system_packages; fi
check_python
setup_uv
sync_python
setup_revealjs
.venv/bin/python -m deck.commands.doctor
