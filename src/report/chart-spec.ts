/**
 * A chart as data: what the report's script hands to uPlot. Built here from results (a pure
 * function), embedded as JSON, drawn in the browser; nothing in it is markup.
 */
export interface ChartSeries {
  label: string;
  color: string;
  /** One value per x; null leaves a gap (no responses in that step), never a false zero. */
  values: Array<number | null>;
  dash?: boolean;
  width?: number;
}

export interface ChartSpec {
  /** Stable within the page: tests find charts by it. */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** `log`: x is drawn on a log10 scale (the latency histogram). */
  xScale?: 'linear' | 'log';
  x: number[];
  series: ChartSeries[];
  /** Unit after a hovered value. */
  unit: string;
}
