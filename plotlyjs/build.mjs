// Builds the plotly.js bundle shipped in the package: node build.mjs (after npm ci).
import { build } from "esbuild";
import { readFileSync } from "node:fs";

const plotly = JSON.parse(readFileSync("node_modules/plotly.js/package.json", "utf8"));

await build({
  entryPoints: ["src/plotly-course.js"],
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "Plotly",
  target: "es2016",
  legalComments: "eof",
  loader: { ".css": "empty" }, // (the map subplot's style sheet, for traces left out)
  define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
  banner: { js: `/** plotly.js (scatter, bar) v${plotly.version}, MIT License, Copyright (c) Plotly Technologies Inc. */` },
  outfile: "../dashboard/plotlyjs/files/plotly-course.min.js",
});
