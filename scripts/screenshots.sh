#!/usr/bin/env bash
# The dashboard's screenshots in docs/screenshots: every page of `drydock serve` on a desktop
# (1280x900) and a phone (390x844), taken by the browser test that checks them.
set -euo pipefail
cd "$(dirname "$0")/.."
export DRYDOCK_SCREENSHOTS=docs/screenshots
exec scripts/with-databases.sh cargo test -p drydock --locked --test serve_browser -- every_page
