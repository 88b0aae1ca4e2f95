import { createApp } from "vue";
import { installElement } from "./element";
import "./styles/app.css";
import "./styles/print.css";
import App from "./App.vue";
import { router } from "./router";

const app = createApp(App);
installElement(app);
app.use(router).mount("#app");
