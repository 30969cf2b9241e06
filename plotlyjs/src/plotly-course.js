// plotly.js as the figures of clinical-course use it: plotly.js's own core (src/core.js) with
// the trace types scatter and bar, and only the components those figures draw with: shapes,
// annotations, legend, hover, modebar, selections, grid and colour scales. Left out: maps, 3-D,
// WebGL and every other trace type; range sliders and selectors, sliders, update menus,
// error bars, layout images and colour bars, which no figure has. A figure asking for one of
// those gets plotly.js's behaviour for a missing component: it is not drawn.
"use strict";

exports.version = require("plotly.js/src/version").version;

require("native-promise-only");
require("plotly.js/build/plotcss");

var Registry = require("plotly.js/src/registry");
var register = (exports.register = Registry.register);

var plotApi = require("plotly.js/src/plot_api");
Object.keys(plotApi).forEach(function (name) {
  if (name.charAt(0) !== "_") exports[name] = plotApi[name];
  register({ moduleType: "apiMethod", name: name, fn: plotApi[name] });
});

register(require("plotly.js/src/traces/scatter"));
register(require("plotly.js/src/traces/bar"));

register([
  require("plotly.js/src/components/annotations"),
  require("plotly.js/src/components/selections"),
  require("plotly.js/src/components/shapes"),
  require("plotly.js/src/components/grid"),
  require("plotly.js/src/components/colorscale"),
  // legend after shapes, hover after legend: their defaults depend on those (as in src/core.js)
  require("plotly.js/src/components/legend"),
  require("plotly.js/src/components/fx"),
  require("plotly.js/src/components/modebar"),
]);

register([require("plotly.js/src/locale-en"), require("plotly.js/src/locale-en-us")]);

exports.Icons = require("plotly.js/src/fonts/ploticon");

var Fx = require("plotly.js/src/components/fx");
var Plots = require("plotly.js/src/plots/plots");
exports.Plots = { resize: Plots.resize, graphJson: Plots.graphJson };
exports.Fx = { hover: Fx.hover, unhover: Fx.unhover, loneHover: Fx.loneHover, loneUnhover: Fx.loneUnhover };
exports.Snapshot = require("plotly.js/src/snapshot");
exports.PlotSchema = require("plotly.js/src/plot_api/plot_schema");
