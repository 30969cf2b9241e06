#!/bin/sh
# Builds dashboard/app/editor/editor.js, the case file editor shipped in the package.
# Needs node and npm; installing and testing the package do not.
set -e
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
node build.mjs
