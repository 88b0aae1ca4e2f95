// The app's charts: only the parts of ECharts that are used are bundled, and each chart component
// gives just its option; creating, updating on change (data or language) and disposing are here.
import { onMounted, onUnmounted, useTemplateRef, watch } from "vue";
import { locale } from "./i18n";
import * as echarts from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** What a click on a bar, point or slice says: the series and category indexes and the name. */
export interface ChartClick { seriesIndex: number; dataIndex: number; name: string }

/** Draws the chart in the element with template ref `refName`; `option` (null = nothing to show
 * yet) is re-read whenever the reactive state it reads or the language changes. No animation: a
 * clerk reads the figures, and a chart redrawn on every refresh should not move. `onClick`: a bar, point or slice
 * was clicked (the 监察 tab drills down to the cases behind it). */
export function useChart(refName: string, option: () => ChartOption | null, onClick?: (c: ChartClick) => void): void {
  const el = useTemplateRef<HTMLElement>(refName);
  let chart: echarts.ECharts | null = null;
  // The element may come and go (a chart shown once its data arrived): follow it.
  const render = () => {
    if (chart && chart.getDom() !== el.value) {
      chart.dispose();
      chart = null;
    }
    if (!chart && el.value) {
      chart = echarts.init(el.value, undefined, { renderer: "canvas" });
      if (onClick) {
        chart.on("click", (p) => onClick({ seriesIndex: p.seriesIndex ?? 0, dataIndex: p.dataIndex, name: p.name }));
      }
    }
    const o = option();
    if (chart && o) chart.setOption({ animation: false, ...o }, true);
  };
  onMounted(render);
  onUnmounted(() => chart?.dispose());
  watch([option, el, locale], render, { flush: "post" });
}
