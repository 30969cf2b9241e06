// Builds the editor bundle shipped in the package: node build.mjs (after npm ci).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const plainText = {
  name: "plain-text-descriptions",
  setup(builder) {
    builder.onResolve({ filter: /utils\/markdown(\.js)?$/ }, () => ({
      path: fileURLToPath(new URL("./src/markdown.js", import.meta.url)),
    }));
  },
};

await build({
  entryPoints: ["src/editor.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "eof",
  outfile: "../dashboard/app/editor/editor.js",
  plugins: [plainText],
  metafile: false,
});
