import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** uPlot's browser build and stylesheet, read from the package once, inlined into every report that draws a chart. */
export const UPLOT = {
  script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
  styles: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
};
