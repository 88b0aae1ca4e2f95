// The app's charts: only the parts of ECharts that are used are bundled, and each chart component
// gives just its option; creating, updating on change (data or language) and disposing are here.
import { onMounted, onUnmounted, useTemplateRef, watch } from "vue";
import * as echarts from "echarts/core";
import { BarChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** Draws the chart in the element with template ref `refName`; `option` (null = nothing to show
 * yet) is re-read whenever the reactive state it reads changes. */
export function useChart(refName: string, option: () => ChartOption | null): void {
  const el = useTemplateRef<HTMLElement>(refName);
  let chart: echarts.ECharts | null = null;
  const render = () => {
    const o = option();
    if (chart && o) chart.setOption(o, true);
  };
  onMounted(() => {
    if (!el.value) return;
    chart = echarts.init(el.value, undefined, { renderer: "canvas" });
    render();
  });
  onUnmounted(() => chart?.dispose());
  watch(option, render);
}
