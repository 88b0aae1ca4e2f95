import { createApp } from "vue";
import { installElement } from "./element";
import { vFocus } from "./focus";
import "./styles/app.css";
import "./styles/print.css";
import App from "./App.vue";
import { router } from "./router";

const app = createApp(App);
installElement(app);
app.directive("focus", vFocus);
app.use(router).mount("#app");
