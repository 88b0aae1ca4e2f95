// Only the Element Plus components the app uses, with their styles: the full library and its
// 370 KB stylesheet were most of the start-up bundle, parsed before the login screen could show.
// Add a component here when a template starts using it (an unregistered <el-x> renders nothing,
// and the e2e screenshots would show the gap).
import type { App } from "vue";
import {
  ElAlert, ElButton, ElCard, ElCheckbox, ElCheckboxGroup, ElConfigProvider, ElDatePicker, ElDescriptions, ElDescriptionsItem,
  ElDialog, ElForm, ElFormItem, ElInput, ElInputNumber, ElOption, ElRadio, ElRadioButton, ElRadioGroup, ElResult, ElSelect,
  ElStep, ElSteps, ElSwitch, ElTable, ElTableColumn, ElTag, ElTimeline, ElTimelineItem,
} from "element-plus";
import "element-plus/es/components/base/style/css";
import "element-plus/es/components/alert/style/css";
import "element-plus/es/components/button/style/css";
import "element-plus/es/components/card/style/css";
import "element-plus/es/components/checkbox/style/css";
import "element-plus/es/components/checkbox-group/style/css";
import "element-plus/es/components/config-provider/style/css";
import "element-plus/es/components/date-picker/style/css";
import "element-plus/es/components/descriptions/style/css";
import "element-plus/es/components/descriptions-item/style/css";
import "element-plus/es/components/dialog/style/css";
import "element-plus/es/components/form/style/css";
import "element-plus/es/components/form-item/style/css";
import "element-plus/es/components/input/style/css";
import "element-plus/es/components/input-number/style/css";
import "element-plus/es/components/option/style/css";
import "element-plus/es/components/radio/style/css";
import "element-plus/es/components/radio-button/style/css";
import "element-plus/es/components/radio-group/style/css";
import "element-plus/es/components/result/style/css";
import "element-plus/es/components/select/style/css";
import "element-plus/es/components/step/style/css";
import "element-plus/es/components/steps/style/css";
import "element-plus/es/components/switch/style/css";
import "element-plus/es/components/table/style/css";
import "element-plus/es/components/table-column/style/css";
import "element-plus/es/components/tag/style/css";
import "element-plus/es/components/timeline/style/css";
import "element-plus/es/components/timeline-item/style/css";
import "element-plus/es/components/message/style/css";
import "element-plus/es/components/message-box/style/css";

const components = [
  ElAlert, ElButton, ElCard, ElCheckbox, ElCheckboxGroup, ElConfigProvider, ElDatePicker, ElDescriptions, ElDescriptionsItem,
  ElDialog, ElForm, ElFormItem, ElInput, ElInputNumber, ElOption, ElRadio, ElRadioButton, ElRadioGroup, ElResult, ElSelect,
  ElStep, ElSteps, ElSwitch, ElTable, ElTableColumn, ElTag, ElTimeline, ElTimelineItem,
];

// Registered by name rather than with app.use: a child component's own install (ElRadioButton,
// ElOption, ElTableColumn …) is a no-op in Element Plus, only its parent's registers it.
export function installElement(app: App): void {
  for (const c of components) app.component(c.name as string, c);
}
