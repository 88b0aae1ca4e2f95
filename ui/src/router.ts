import { ElMessage } from "element-plus";
import { createRouter, createWebHashHistory } from "vue-router";
import WorkbenchView from "./views/WorkbenchView.vue";

// Hash history: the app is served from the bundle, never from a server that could rewrite paths.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: "/", redirect: "/work" },
    { path: "/work", name: "work", component: WorkbenchView },
    { path: "/case/:no", name: "case", component: () => import("./views/CaseView.vue"), props: true },
    { path: "/intake", name: "intake", component: () => import("./views/IntakeView.vue") },
    { path: "/catalog", name: "catalog", component: () => import("./views/CatalogView.vue") },
    { path: "/sync", name: "sync", component: () => import("./views/SyncView.vue") },
    { path: "/settings", name: "settings", component: () => import("./views/SettingsView.vue") },
    { path: "/themes", name: "themes", component: () => import("./views/ThemesView.vue") },
    { path: "/themes/new", name: "theme-intake", component: () => import("./views/ThemeIntakeView.vue") },
    { path: "/theme/:no", name: "theme", component: () => import("./views/ThemeBoardView.vue"), props: true },
    { path: "/supervision", name: "supervision", component: () => import("./views/SupervisionView.vue") },
    { path: "/queue", name: "queue", component: () => import("./views/QueueView.vue") },
    { path: "/rate/:no", name: "rate", component: () => import("./views/RatingView.vue"), props: true },
  ],
});

// A toast belongs to the screen that raised it: leaving the screen clears it, so it never covers
// the next one's header.
router.afterEach(() => ElMessage.closeAll());
