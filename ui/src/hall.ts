// The hall display window (label `hall`, hall.html): its own small app, without Element Plus,
// the router or a login — it may call only `hall_board` (capabilities/hall.json).
import { createApp } from "vue";
import HallDisplay from "./views/HallDisplay.vue";

createApp(HallDisplay).mount("#hall");
