#!/usr/bin/env node
// Renders one of our GEXF files to an SVG picture the way Gephi would show it
// after a ForceAtlas 2 layout: the file's own viz:color / viz:size /
// viz:thickness, labels on the biggest nodes. Used for the README's pictures
// (make screenshots), which are rendered by us from our own output: Gephi
// itself is a desktop program we don't run here.
//
//   NODE_PATH=.deps/node/node_modules node scripts/docs/render_graph.cjs IN.gexf OUT.svg \
//       [--labels N] [--title TEXT] [--iterations N] [--width PX] [--height PX]
//       [--legend-by NODE_ATTRIBUTE]   (default type; camp for commenters.gexf)
//       [--drop-isolated]              (leave out nodes without edges, as Gephi's Degree Range >= 1 filter)
//
// Needs graphology, graphology-gexf and graphology-layout-forceatlas2 (make tools
// installs them into .deps/node). The layout starts from a seeded random placement,
// so the same file gives the same picture.
'use strict';
const fs = require('fs');
const Graph = require('graphology');
const gexf = require('graphology-gexf');
const forceAtlas2 = require('graphology-layout-forceatlas2');

function parseArgs(argv) {
  const args = { dropIsolated: false, legendBy: 'type', labels: 25, title: '', iterations: 600, width: 1600, height: 1100, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--labels') args.labels = Number(value());
    else if (a === '--title') args.title = value();
    else if (a === '--iterations') args.iterations = Number(value());
    else if (a === '--legend-by') args.legendBy = value();
    else if (a === '--drop-isolated') args.dropIsolated = true;
    else if (a === '--width') args.width = Number(value());
    else if (a === '--height') args.height = Number(value());
    else args.positional.push(a);
  }
  if (args.positional.length !== 2) {
    throw new Error('usage: render_graph.cjs IN.gexf OUT.svg [--labels N] [--title TEXT] [--iterations N]');
  }
  return args;
}

// mulberry32: a small seeded generator, so layouts repeat exactly.
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function escapeXml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]);
}

function rgba(color, alpha) {
  if (!color) return `rgba(150,150,150,${alpha})`;
  const m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color);
  if (m) return `rgba(${m[1]},${m[2]},${m[3]},${alpha})`;
  return color;
}

// One legend row per distinct value of a node attribute (type, camp) and of
// the edge `kind`, each with the first colour seen for it.
function legend(graph, nodeKey, w, h) {
  const rows = [];
  const seen = new Map();
  graph.forEachNode((_n, a) => {
    const k = a[nodeKey];
    if (k !== undefined && k !== '' && !seen.has(`n:${k}`)) seen.set(`n:${k}`, { text: `${nodeKey} ${k}`, color: a.color, shape: 'circle' });
  });
  graph.forEachEdge((_e, a) => {
    const k = a.stance !== undefined ? `stance edge: ${a.stance}` : a.kind !== undefined ? `${a.kind} edge` : undefined;
    if (k !== undefined && !seen.has(`e:${k}`)) seen.set(`e:${k}`, { text: k, color: a.color, shape: 'line' });
  });
  const natural = new Intl.Collator('en', { numeric: true });
  const entries = [...seen.entries()].sort(([p], [q]) => natural.compare(p, q)).map(([, v]) => v).slice(0, 16);
  const x = w - 230;
  let y = h - 20 - entries.length * 20;
  rows.push(`<g font-family="DejaVu Sans, sans-serif" font-size="13" fill="#333">`);
  for (const e of entries) {
    if (e.shape === 'circle') rows.push(`<circle cx="${x + 8}" cy="${y - 4}" r="6" fill="${rgba(e.color, 1)}"/>`);
    else rows.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 16}" y2="${y - 4}" stroke="${rgba(e.color, 0.9)}" stroke-width="3"/>`);
    rows.push(`<text x="${x + 24}" y="${y}">${escapeXml(e.text)}</text>`);
    y += 20;
  }
  rows.push('</g>');
  return rows;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const [input, output] = args.positional;
  const text = fs.readFileSync(input, 'utf8');
  // Dynamic graphs with the stance group have two attribute blocks per class;
  // graphology-gexf keeps only the last one unless told to allow undeclared ones.
  const graph = gexf.parse(Graph, text, { allowUndeclaredAttributes: true, addMissingNodes: true });
  if (args.dropIsolated) graph.filterNodes((n) => graph.degree(n) === 0).forEach((n) => graph.dropNode(n));
  if (graph.order === 0) throw new Error(`${input}: the graph has no nodes`);

  const random = seeded(20261201);
  graph.forEachNode((node) => {
    graph.mergeNodeAttributes(node, { x: random() * 1000, y: random() * 1000 });
  });
  // Gephi's ForceAtlas 2 with its usual settings for a small-to-medium graph:
  // LinLog off, prevent overlap is a second pass in Gephi, so a modest
  // scaling ratio and gravity keep components on screen.
  const settings = forceAtlas2.inferSettings(graph);
  settings.edgeWeightInfluence = 1;
  forceAtlas2.assign(graph, {
    iterations: args.iterations,
    settings,
    getEdgeWeight: (_e, attrs) => Math.max(Number(attrs.weight) || 1, 0.1),
  });

  // Fit the layout into the picture, leaving room for the title.
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity, maxSize = 0;
  graph.forEachNode((_n, a) => {
    minX = Math.min(minX, a.x); maxX = Math.max(maxX, a.x);
    minY = Math.min(minY, a.y); maxY = Math.max(maxY, a.y);
    maxSize = Math.max(maxSize, Number(a.size) || 1);
  });
  const top = args.title ? 50 : 10;
  const pad = 40;
  const w = args.width, h = args.height;
  const right = 180; // room for labels and the legend
  const scale = Math.min((w - pad - right) / Math.max(maxX - minX, 1e-9), (h - top - pad) / Math.max(maxY - minY, 1e-9));
  const px = (x) => pad + (x - minX) * scale + ((w - pad - right) - (maxX - minX) * scale) / 2;
  const py = (y) => top + (y - minY) * scale + ((h - top - pad) - (maxY - minY) * scale) / 2;
  // Sizes in our files run 3..48; draw them as radii on a 1600 px picture.
  const radius = (a) => 2 + (Number(a.size) || 1) * 0.55;

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  if (args.title) {
    out.push(`<text x="${pad}" y="32" font-family="DejaVu Sans, sans-serif" font-size="22" fill="#222">${escapeXml(args.title)}</text>`);
  }
  out.push('<g stroke-linecap="round">');
  graph.forEachEdge((_e, a, source, target) => {
    const s = graph.getNodeAttributes(source);
    const t = graph.getNodeAttributes(target);
    const thickness = Math.min(Number(a.thickness) || 1, 8);
    out.push(
      `<line x1="${px(s.x).toFixed(1)}" y1="${py(s.y).toFixed(1)}" x2="${px(t.x).toFixed(1)}" y2="${py(t.y).toFixed(1)}" ` +
        `stroke="${rgba(a.color, 0.7)}" stroke-width="${(1.1 * thickness).toFixed(2)}"/>`
    );
  });
  out.push('</g><g>');
  // Small nodes first, so big ones sit on top.
  const nodes = graph.mapNodes((n, a) => ({ n, a })).sort((p, q) => (Number(p.a.size) || 0) - (Number(q.a.size) || 0));
  for (const { a } of nodes) {
    out.push(
      `<circle cx="${px(a.x).toFixed(1)}" cy="${py(a.y).toFixed(1)}" r="${radius(a).toFixed(1)}" fill="${rgba(a.color, 1)}" stroke="#ffffff" stroke-width="0.8"/>`
    );
  }
  out.push('</g><g font-family="DejaVu Sans, sans-serif" fill="#111">');
  const labelled = nodes.slice().reverse().slice(0, Math.max(args.labels, 0));
  for (const { n, a } of labelled) {
    const size = 11 + Math.round(6 * Math.sqrt((Number(a.size) || 1) / maxSize));
    out.push(
      `<text x="${(px(a.x) + radius(a) + 2).toFixed(1)}" y="${(py(a.y) + 4).toFixed(1)}" font-size="${size}" ` +
        `paint-order="stroke" stroke="#ffffff" stroke-width="3">${escapeXml(a.label || n)}</text>`
    );
  }
  out.push('</g>');
  out.push(...legend(graph, args.legendBy, w, h));
  out.push('</svg>');
  fs.writeFileSync(output, out.join('\n') + '\n');
  console.log(`${output}: ${graph.order} nodes, ${graph.size} edges`);
}

try {
  main();
} catch (err) {
  console.error(`render_graph: ${err.message}`);
  process.exit(1);
}
