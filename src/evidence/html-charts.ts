/** The SVG charts of report.html: horizontal stacked bars of criterion statuses, readable without colour. */
import { esc, STATUS } from "./html-elements.js";
import type { CriterionStatus } from "./model.js";

/** The order of statuses in the charts and in the counts of a matrix. */
export const CHART_ORDER: CriterionStatus[] = [
  "satisfied",
  "met-with-exceptions",
  "not-satisfied",
  "needs-external-evidence",
  "not-applicable",
];
const TONE: Record<CriterionStatus, string> = {
  satisfied: "ok",
  "met-with-exceptions": "exc",
  "not-satisfied": "bad",
  "needs-external-evidence": "ext",
  "not-applicable": "na",
};
const fill = (chart: string, s: CriterionStatus) => `url(#${chart}-${TONE[s]})`;
/** Solid, hatched, dotted and cross-hatched fills: the statuses differ without colour too. */
const patterns = (chart: string) => `<defs>
<pattern id="${chart}-ok" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#2e7d4f"/></pattern>
<pattern id="${chart}-exc" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(90)"><rect width="6" height="6" fill="#2e7d4f"/><rect width="2" height="6" fill="#fff" opacity=".45"/></pattern>
<pattern id="${chart}-bad" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#b3261e"/><rect width="2" height="6" fill="#fff" opacity=".55"/></pattern>
<pattern id="${chart}-ext" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#b26a00"/><circle cx="3" cy="3" r="1.3" fill="#fff" opacity=".7"/></pattern>
<pattern id="${chart}-na" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)"><rect width="6" height="6" fill="#8a8f98"/><rect width="1" height="6" fill="#fff" opacity=".6"/></pattern>
</defs>`;

/** Horizontal stacked bars: one per row, each segment labelled with its count; colour, pattern and legend symbol all differ. */
export function stackedChart(
  chart: string,
  title: string,
  rows: Array<{ label: string; counts: Record<CriterionStatus, number> }>,
  legend: Partial<Record<CriterionStatus, string>>,
): string {
  const labelWidth = 150;
  const barWidth = 420;
  const rowHeight = 30;
  const height = rows.length * rowHeight + 8;
  const described = rows
    .map(
      (r) =>
        `${r.label}: ${CHART_ORDER.filter((s) => r.counts[s])
          .map((s) => `${r.counts[s]} ${(legend[s] ?? s).toLowerCase()}`)
          .join(", ")}`,
    )
    .join("; ");
  const bars = rows
    .map((r, i) => {
      const total = CHART_ORDER.reduce((n, s) => n + r.counts[s], 0) || 1;
      let x = labelWidth;
      const segments = CHART_ORDER.filter((s) => r.counts[s])
        .map((s) => {
          const w = (r.counts[s] / total) * barWidth;
          const seg = `<rect x="${x.toFixed(1)}" y="${i * rowHeight + 4}" width="${w.toFixed(1)}" height="20" fill="${fill(chart, s)}" stroke="#fff"/>${
            w >= 18 ? `<text x="${(x + w / 2).toFixed(1)}" y="${i * rowHeight + 18}" class="seg">${r.counts[s]}</text>` : ""
          }`;
          x += w;
          return seg;
        })
        .join("");
      return `<text x="0" y="${i * rowHeight + 18}" class="lbl">${esc(r.label)}</text>${segments}<text x="${labelWidth + barWidth + 6}" y="${i * rowHeight + 18}" class="lbl">${total}</text>`;
    })
    .join("");
  const keys = CHART_ORDER.filter((s) => legend[s])
    .map(
      (s) =>
        `<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="${fill(chart, s)}"/></svg> <span aria-hidden="true">${STATUS[s].symbol}</span> ${esc(legend[s]!)}</li>`,
    )
    .join("");
  return `<figure class="chart"><figcaption>${esc(title)}</figcaption>
<svg viewBox="0 0 ${labelWidth + barWidth + 40} ${height}" role="img" aria-label="${esc(`${title}. ${described}`)}"><title>${esc(title)}</title>${patterns(chart)}${bars}</svg>
<ul class="legend">${keys}</ul></figure>`;
}
