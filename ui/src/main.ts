// The window's start as User Timing marks, with "ccmeter:dashboard-mounted" and "ccmeter:dashboard-data": how
// BENCHMARKS.md splits the time a window takes to open (read over WebDriver: performance.getEntriesByType("mark")).
performance.mark("ccmeter:script");
import { mount } from "svelte";

import App from "./App.svelte";
import "./style.css";

const target = document.getElementById("app");
if (target === null) {
  throw new Error("index.html has no #app element");
}
mount(App, { target });
