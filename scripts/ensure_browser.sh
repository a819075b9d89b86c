#!/usr/bin/env bash
# Make the real-browser report test runnable: Debian's chromium and python playwright.
# Never runs `playwright install` (it downloads browser builds from the internet).
# It says what it installs before it does: apt-get install chromium runs as root.
# Usage: scripts/ensure_browser.sh [PYTHON]   (default: .venv/bin/python)
set -u
PYTHON="${1:-.venv/bin/python}"

if [ ! -x /usr/bin/chromium ]; then
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        if [ "$(id -u)" != "0" ]; then
            if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
                echo "ensure_browser: /usr/bin/chromium missing and not root; the browser test will skip" >&2
                SUDO="skip"
            fi
        fi
        if [ "$SUDO" != "skip" ]; then
            echo "ensure_browser: /usr/bin/chromium is missing; installing Debian's chromium package" \
                 "with apt-get (as root${SUDO:+, through sudo -n}) for the real-browser report test." >&2
            echo "ensure_browser: to skip this, run: python -m pytest --deselect tests/browser" >&2
            export DEBIAN_FRONTEND=noninteractive
            # apt-get update only when the package is not known yet
            apt-cache show chromium >/dev/null 2>&1 || $SUDO apt-get update -qq || true
            $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null \
                || echo "ensure_browser: apt-get install chromium failed; the browser test will skip" >&2
        fi
    else
        echo "ensure_browser: no apt-get and no /usr/bin/chromium; the browser test will skip" >&2
    fi
fi

if ! "$PYTHON" -c "import playwright" >/dev/null 2>&1; then
    echo "ensure_browser: installing the python playwright package into $PYTHON's environment" \
         "(pip; no browser download)" >&2
    "$PYTHON" -m pip install -q playwright \
        || echo "ensure_browser: pip install playwright failed; the browser test will skip" >&2
fi
exit 0
