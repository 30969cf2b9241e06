#!/bin/sh
# Builds dashboard/plotlyjs/files/plotly-course.min.js, the plotly.js shipped in the package.
# Needs node and npm; installing and testing the package do not.
set -e
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
node build.mjs
